// What the intake needs from a durable store (src/store/eventsub.ts keeps it in the database):
// the twitch layer may not reach the store, so it states the promise here and app.ts wires it.

/** one EventSub message as received, before it is read */
export interface InboxMessage {
  messageId: string;
  kind: 'notification' | 'revocation';
  transport: 'webhook' | 'websocket';
  subscriptionId: string;
  subscriptionType: string;
  subscriptionVersion: string;
  /** the message's own timestamp, epoch ms */
  sentAt: number;
  receivedAt: number;
  /** raw JSON: {subscription, event} for a notification, {subscription} for a revocation */
  body: string;
}

export interface EventSubInbox {
  /** records a message once, durably; false when its id was recorded before (a redelivery) */
  accept(message: InboxMessage): Promise<boolean>;
  /** up to `limit` messages not yet handed on, in order of receipt */
  queued(limit: number): Promise<InboxMessage[]>;
  /** marks messages handed on (done) or unreadable (failed); neither is handed on again */
  settle(messageIds: readonly string[], state: 'done' | 'failed'): Promise<void>;
  /** messages not yet handed on */
  depth(): Promise<number>;
  /** forgets settled messages received before this time; returns how many */
  prune(receivedBefore: number): Promise<number>;
}
