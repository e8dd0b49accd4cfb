import { useMemo, useState } from 'preact/hooks';
import type { JobStatus } from '../../../src/core/job-types';
import type { SimSummary } from '../../../src/sim/summary';
import type { ChatStatus, EventSubStatusView } from '../../../src/status/types';
import { Cards } from '../components/cards';
import { TimeChart } from '../components/time-chart';
import { formatBytes, formatDuration, formatRelative, formatTime, formatUptime } from '../lib/format';
import { useStatus, useTick } from '../lib/status';

/** Tiny bar chart of a job's recent run durations (red bars are failures). */
function DurationSpark({ job }: { job: JobStatus }) {
  const runs = job.recent.slice(-30);
  if (runs.length === 0) return <span class="muted">–</span>;
  const max = Math.max(...runs.map((r) => r.durationMs), 0.001);
  const w = 3;
  return (
    <svg class="spark" width={30 * (w + 1)} height={20} role="img" aria-label={`last ${runs.length} run durations, longest ${formatDuration(max)}`}>
      {runs.map((r, i) => {
        const h = Math.max(1, (r.durationMs / max) * 18);
        return <rect key={i} x={i * (w + 1)} y={20 - h} width={w} height={h} class={r.outcome === 'ok' ? 'ok' : 'err'} />;
      })}
    </svg>
  );
}

function JobRow({ job, clockNow }: { job: JobStatus; clockNow: number }) {
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string>();
  const runNow = async () => {
    setBusy(true);
    setProblem(undefined);
    try {
      const res = await fetch(`/api/jobs/${encodeURIComponent(job.name)}/run`, {
        method: 'POST',
        // Lurk refuses a state-changing request that is not JSON (a cross-site form cannot send JSON)
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: '{}',
      });
      if (!res.ok) {
        const body = (await res.json().catch(() => undefined)) as { error?: { message?: string } } | undefined;
        setProblem(body?.error?.message ?? `HTTP ${res.status}`);
      }
    } catch (err) {
      setProblem((err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  const last = job.lastRun;
  return (
    <tr data-job={job.name}>
      <td>
        <div class="job-name">{job.name}</div>
        <div class="muted small">{job.description}</div>
      </td>
      <td class="nowrap">{job.schedule}</td>
      <td class="nowrap" data-field="last-run" title={last ? formatTime(last.startedAt) : undefined}>
        {job.running ? <span class="pill running">running</span> : last ? formatRelative(last.startedAt, clockNow) : <span class="muted">never</span>}
      </td>
      <td class="nowrap num" data-field="duration">
        {last ? formatDuration(last.durationMs) : '–'}
      </td>
      <td data-field="outcome">
        {last ? (
          <span class={`pill ${last.outcome}`} title={last.error}>
            {last.outcome === 'ok' ? 'ok' : 'failed'}
          </span>
        ) : (
          '–'
        )}
        {last?.error && <div class="small err-text">{last.error}</div>}
      </td>
      <td class="nowrap" title={job.nextRunAt ? formatTime(job.nextRunAt) : undefined}>
        {job.nextRunAt ? formatRelative(job.nextRunAt, clockNow) : '–'}
      </td>
      <td class="num" data-field="runs">
        {job.runs}
        {job.failures > 0 && <span class="err-text"> / {job.failures} failed</span>}
        {job.skipped > 0 && <span class="muted"> / {job.skipped} skipped</span>}
      </td>
      <td>
        <DurationSpark job={job} />
      </td>
      <td>
        <button type="button" onClick={runNow} disabled={busy || job.running}>
          {busy ? 'Running…' : 'Run now'}
        </button>
        {problem && <div class="small err-text">{problem}</div>}
      </td>
    </tr>
  );
}

function SimulatorPanel({ sim }: { sim: SimSummary }) {
  const control = `${location.protocol}//${location.hostname}:${sim.ports.http}/_sim/world`;
  return (
    <>
      <h2>Simulated Twitch</h2>
      <Cards
        section="simulator"
        cards={[
          {
            label: 'World time',
            value: formatTime(sim.time_ms),
            field: 'sim-time',
            note: (
              <>
                {sim.clock.mode}
                {sim.clock.speed !== 1 && sim.clock.speed !== 0 && ` ×${sim.clock.speed}`}
                {sim.clock.lagging && ' · falling behind'} · seed {sim.seed}
              </>
            ),
          },
          { label: 'Live channels', value: sim.live_channels.toLocaleString(), field: 'sim-live', note: `of ${sim.channels.toLocaleString()} channels · ${sim.games} games` },
          { label: 'Viewers', value: sim.viewers.toLocaleString(), field: 'sim-viewers', note: `about ${sim.chatters.toLocaleString()} chatting · ${Math.round(sim.messages_per_second)} messages/s` },
          {
            label: 'Endpoints',
            small: true,
            value: (
              <>
                <a href={control} target="_blank" rel="noreferrer">
                  :{sim.ports.http}
                </a>
                {sim.ports.irc ? ` · IRC :${sim.ports.irc}` : ''}
                {sim.ports.irc_ws ? ` · IRC WS :${sim.ports.irc_ws}` : ''}
              </>
            ),
            note: `Helix, OAuth, EventSub and /_sim · rate limit ${sim.rate_limit_per_minute}/min`,
          },
        ]}
      />
    </>
  );
}

/** The chat pool: connections, channels by state, lines read, reconnects and drops. */
function ChatPanel({ chat }: { chat: ChatStatus }) {
  const { channels, connections } = chat;
  return (
    <>
      <h2>Chat pool</h2>
      <Cards
        cards={[
          {
            label: 'Channels',
            value: channels.joined.toLocaleString(),
            field: 'chat-joined',
            note: `joined · ${channels.pending} pending · ${channels.failed} failed (GET /api/chat/channels)`,
          },
          { label: 'Connections', value: String(connections.reader + connections.bot), field: 'chat-connections', note: `${connections.reader} reading (anonymous) · ${connections.bot} bot` },
          { label: 'Lines', value: `${chat.linesPerSecond.toLocaleString()}/s`, field: 'chat-rate', note: `${chat.lines.toLocaleString()} since start · ${chat.malformed} malformed` },
          {
            label: 'Reconnects',
            value: String(chat.reconnects),
            field: 'chat-reconnects',
            note: `${chat.drops} dropped · ${chat.joinRateLimited} JOINs refused for speed`,
          },
        ]}
      />
    </>
  );
}

/** The EventSub intake: transport, subscriptions by type and state, notifications and refusals. */
function EventSubPanel({ eventsub }: { eventsub: EventSubStatusView }) {
  const rejected = Object.entries(eventsub.rejected);
  const refused = rejected.reduce((n, [, c]) => n + c, 0);
  return (
    <>
      <h2>EventSub intake</h2>
      <Cards
        cards={[
          {
            label: 'Transport',
            value: eventsub.webhooks ? 'Webhooks' : 'WebSocket only',
            field: 'eventsub-transport',
            small: true,
            note: eventsub.webhooks ? `at ${eventsub.callbackUrl ?? '–'}` : 'no public URL (LURK_PUBLIC_URL): webhooks are off, subscriptions with a user token use WebSocket',
          },
          {
            label: 'Notifications',
            value: eventsub.handedOn.toLocaleString(),
            field: 'eventsub-notifications',
            note: `since start · ${eventsub.duplicates} duplicates dropped · ${eventsub.queued} queued`,
          },
          {
            label: 'Refused deliveries',
            value: String(refused),
            field: 'eventsub-rejected',
            note: rejected.length ? rejected.map(([reason, n]) => `${reason} ${n}`).join(' · ') : 'none (bad signature, stale, malformed)',
          },
          {
            label: 'Last reconcile',
            value: eventsub.lastReconcileAt ? formatTime(eventsub.lastReconcileAt) : 'never',
            field: 'eventsub-reconcile',
            small: true,
            note: eventsub.lastReconcileError ?? `${eventsub.sockets} WebSocket sessions`,
          },
        ]}
      />
      {eventsub.subscriptions.length === 0 ? (
        <p class="muted">No subscriptions wanted yet: the capabilities that read EventSub declare them.</p>
      ) : (
        <div class="table-wrap">
          <table class="eventsub" data-table="eventsub">
            <thead>
              <tr>
                <th>Type</th>
                <th>State</th>
                <th class="num">Subscriptions</th>
              </tr>
            </thead>
            <tbody>
              {eventsub.subscriptions.map((s) => (
                <tr key={`${s.type} ${s.state}`}>
                  <td>{s.type}</td>
                  <td>{s.state}</td>
                  <td class="num">{s.count}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

export function StatusPage() {
  const { status, receivedAt, connection } = useStatus();
  useTick(1000);
  const sinceReceived = status ? (performance.now() - receivedAt) / 1000 : 0;
  const clockNow = status ? status.now + sinceReceived * 1000 * status.clock.speed : Date.now();
  const resources = status?.resources ?? [];
  const chart = useMemo(
    () => ({
      times: resources.map((r) => r.at),
      memory: [
        { label: 'RSS', values: resources.map((r) => r.rssBytes), color: 'var(--accent)', format: formatBytes },
        { label: 'Heap used', values: resources.map((r) => r.heapUsedBytes), color: 'var(--accent-2)', format: formatBytes },
        { label: 'Database', values: resources.map((r) => r.dbSizeBytes), color: 'var(--accent-3)', format: formatBytes },
      ],
      loop: [{ label: 'Event-loop delay p99', values: resources.map((r) => r.eventLoopP99Ms), color: 'var(--accent)', format: (v: number) => `${v.toFixed(1)} ms` }],
      chat: [{ label: 'Chat lines/s', values: resources.map((r) => r.chatLinesPerSecond ?? 0), color: 'var(--accent)', format: (v: number) => `${v.toFixed(1)}/s` }],
      eventsub: [{ label: 'EventSub notifications/min', values: resources.map((r) => r.eventsubPerMinute ?? 0), color: 'var(--accent-2)', format: (v: number) => `${v.toFixed(1)}/min` }],
    }),
    [resources],
  );

  if (!status) {
    return (
      <section class="page">
        <h1>Status</h1>
        <p class="muted">{connection === 'connecting' ? 'Connecting…' : 'Lost the connection to Lurk; retrying…'}</p>
      </section>
    );
  }
  return (
    <section class="page">
      <div class="page-head">
        <h1>Status</h1>
        <span class={`live ${connection}`} data-connection={connection}>
          {connection === 'live' ? 'live' : 'reconnecting…'}
        </span>
      </div>
      <Cards
        cards={[
          { label: 'Uptime', value: formatUptime(status.uptimeSeconds + sinceReceived), field: 'uptime', note: `since ${formatTime(status.startedAt)}` },
          {
            label: 'Mode',
            value: status.twitch,
            field: 'mode',
            note: status.mode === 'simulator' ? 'no Twitch credentials configured' : `Twitch credentials configured · Helix ${status.endpoints.helix}`,
          },
          { label: 'Database', value: `${status.database.kind === 'sqlite' ? 'SQLite' : 'PostgreSQL'} · ${formatBytes(status.database.sizeBytes)}`, field: 'database', note: status.database.label },
          {
            label: 'Version',
            value: `Lurk ${status.version}`,
            note: (
              <>
                Node {status.node} · pid {status.pid}
                {status.clock.kind !== 'system' && ` · clock ×${status.clock.speed}`}
              </>
            ),
          },
        ]}
      />

      {status.simulator && <SimulatorPanel sim={status.simulator} />}
      <ChatPanel chat={status.chat} />
      {status.eventsub && <EventSubPanel eventsub={status.eventsub} />}

      <h2>Scheduled jobs</h2>
      <div class="table-wrap">
        <table class="jobs">
          <thead>
            <tr>
              <th>Job</th>
              <th>Schedule</th>
              <th>Last run</th>
              <th>Duration</th>
              <th>Outcome</th>
              <th>Next run</th>
              <th>Runs</th>
              <th>Recent</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {status.jobs.map((job) => (
              <JobRow key={job.name} job={job} clockNow={clockNow} />
            ))}
          </tbody>
        </table>
      </div>

      <h2>Resources</h2>
      {resources.length < 2 ? (
        <p class="muted">Collecting samples (one every 10 s)…</p>
      ) : (
        <div class="charts">
          <TimeChart title="Memory and database size" times={chart.times} series={chart.memory} />
          <TimeChart title="Event-loop delay (p99)" times={chart.times} series={chart.loop} />
          <TimeChart title="Chat lines read" times={chart.times} series={chart.chat} />
          <TimeChart title="EventSub notifications" times={chart.times} series={chart.eventsub} />
        </div>
      )}
    </section>
  );
}
