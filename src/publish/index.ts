import { BlueskyPublisher, type BlueskyConfig } from './bluesky.js';
import { DiscordPublisher, type DiscordConfig } from './discord.js';
import { FolderPublisher, type FolderConfig } from './folder.js';
import { MastodonPublisher, type MastodonConfig } from './mastodon.js';
import type { Publisher } from './types.js';
import { XPublisher, type XConfig } from './x.js';

export { renderBarChart, renderLineChart, formatValue, type BarChartSpec, type LineChartSpec } from './chart.js';
export { PublishError, type DigestImage, type DigestPost, type Mention, type Publisher, type PublishedRef } from './types.js';
export { BlueskyPublisher, DiscordPublisher, FolderPublisher, MastodonPublisher, XPublisher };
export type { BlueskyConfig, DiscordConfig, FolderConfig, MastodonConfig, XConfig };

/** One optional section per destination; a section present means "publish there". */
export interface PublishersConfig {
  folder?: FolderConfig;
  bluesky?: BlueskyConfig;
  mastodon?: MastodonConfig;
  discord?: DiscordConfig;
  x?: XConfig;
  /** deadline of every call to a network, in ms (LURK_PUBLISH_TIMEOUT_SECONDS); each section's own timeoutMs wins */
  timeoutMs?: number;
}

/** A publisher for every configured section, in a fixed order (folder, bluesky, mastodon, discord, x). */
export function createPublishers(config: PublishersConfig): Publisher[] {
  const publishers: Publisher[] = [];
  const timeout = config.timeoutMs === undefined ? {} : { timeoutMs: config.timeoutMs };
  if (config.folder) publishers.push(new FolderPublisher(config.folder));
  if (config.bluesky) publishers.push(new BlueskyPublisher({ ...timeout, ...config.bluesky }));
  if (config.mastodon) publishers.push(new MastodonPublisher({ ...timeout, ...config.mastodon }));
  if (config.discord) publishers.push(new DiscordPublisher({ ...timeout, ...config.discord }));
  if (config.x) publishers.push(new XPublisher({ ...timeout, ...config.x }));
  return publishers;
}

/** The configured publishers, or a folder publisher writing to `defaultDir` when none is: the digest always lands somewhere. */
export function publishersOrFolder(config: PublishersConfig, defaultDir: string): Publisher[] {
  const publishers = createPublishers(config);
  return publishers.length > 0 ? publishers : [new FolderPublisher({ dir: defaultDir })];
}
