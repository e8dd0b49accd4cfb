import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import type { AudienceChannelsResponse, EndedResponse, FlowsResponse, RaidsResponse } from '../../../../src/audience/types';
import { ErrorNotice, Loading } from '../../components/notice';
import { useApi } from '../../lib/api';
import { CHANNELS_URL, PERIODS, type PeriodKey, chatStateText, endedUrl, flowsUrl, isLogin, raidsUrl, sourceWords, useLurkNow, useRefresh } from '../../lib/audience';
import { formatInt } from '../../lib/format';
import { AddChannels } from './add-channels';
import { ChatRatio } from './channels';
import { EndedList } from './ended';
import { Explained } from './explained';
import { FlowsSankey } from './flows';
import { AppLink, CsvLink } from './links';
import { RaidsTable } from './raids';
import { Similar } from './similar';

/** the period's edges, on Lurk's clock rounded to the minute (a new request once a minute at most, plus each refresh's own) */
function period(now: number, ms: number): { from: number; to: number } {
  const to = Math.ceil(now / 60_000) * 60_000;
  return { from: to - ms, to };
}

/** /audience/<login>: where this channel's audience comes from and goes, who it shares it with, its raids */
export function ChannelView({ login }: { login: string }) {
  const back = (
    <p>
      <AppLink href="/audience">← All channels</AppLink>
    </p>
  );
  if (!isLogin(login)) {
    return (
      <section class="page audience" aria-label="Audience">
        {back}
        <h1>Not a channel</h1>
        <p class="wt-notice error" role="alert" data-field="error">
          “{login}” is not a Twitch login (letters, digits and _, up to 25).
        </p>
      </section>
    );
  }
  return <ChannelBody login={login} back={back} />;
}

function ChannelBody({ login, back }: { login: string; back: ComponentChildren }) {
  const [tick, reload] = useRefresh();
  const now = useLurkNow(tick);
  const [periodKey, setPeriodKey] = useState<PeriodKey>('24h');
  const span = PERIODS.find((p) => p.key === periodKey)!;
  const { from, to } = period(now, span.ms);
  const list = useApi<AudienceChannelsResponse>(CHANNELS_URL, tick);
  const inflows = useApi<FlowsResponse>(flowsUrl(login, 'in', from, to), tick);
  const outflows = useApi<FlowsResponse>(flowsUrl(login, 'out', from, to), tick);
  const raids = useApi<RaidsResponse>(raidsUrl(login), tick);
  const ended = useApi<EndedResponse>(endedUrl(login), tick);
  const channel = list.data?.channels.find((c) => c.login === login);
  const flowError = inflows.error ?? outflows.error;

  return (
    <section class="page audience" aria-label={`Audience of ${login}`} data-channel={login}>
      {back}
      <div class="page-head">
        <h1>{login}</h1>
        {channel?.live && <span class="pill ok">live</span>}
      </div>
      {list.data && !channel && (
        <div class="au-empty" data-field="not-watched">
          <p>
            <strong>{login} is not watched.</strong> Lurk only sees moves between channels it watches; add it to follow its audience from now on.
          </p>
          <AddChannels initial={login} onAdded={reload} />
        </div>
      )}
      {channel && (
        <dl class="au-now" data-field="now">
          <div>
            <dt>Viewers</dt>
            <dd class="num">{channel.viewer_count === null ? '–' : formatInt(channel.viewer_count)}</dd>
          </div>
          <div>
            <dt>Present</dt>
            <dd class="num" data-field="present">
              {formatInt(channel.present)}
            </dd>
          </div>
          <div>
            <dt>Active chatters</dt>
            <dd class="num">{formatInt(channel.active_chatters)}</dd>
          </div>
          <div>
            <dt>Chatters per viewer</dt>
            <dd>
              <ChatRatio channel={channel} />
            </dd>
          </div>
          <div>
            <dt>Membership</dt>
            <dd>{channel.membership ? 'yes (JOIN/PART)' : 'no (chat only)'}</dd>
          </div>
          <div>
            <dt>Watched because</dt>
            <dd class="small">
              {sourceWords(channel.sources)} · {chatStateText(channel.chat)}
            </dd>
          </div>
        </dl>
      )}

      <div class="au-block-head">
        <h2>Where its audience came from and went</h2>
        <div role="group" aria-label="Period" class="au-toggle">
          {PERIODS.map((p) => (
            <button key={p.key} type="button" aria-pressed={p.key === periodKey} onClick={() => setPeriodKey(p.key)}>
              {p.label}
            </button>
          ))}
        </div>
      </div>
      {flowError && !(inflows.data && outflows.data) && <ErrorNotice error={flowError} onRetry={reload} api="Audience" />}
      {!(inflows.data && outflows.data) && !flowError && <Loading />}
      {inflows.data && outflows.data && <FlowsSankey channel={login} inflows={inflows.data} outflows={outflows.data} />}
      <p class="small">
        <CsvLink href={flowsUrl(login, 'in', from, to, 'csv')} file={`audience-${login}-in-${periodKey}`} label="Download sources (CSV)" /> ·{' '}
        <CsvLink href={flowsUrl(login, 'out', from, to, 'csv')} file={`audience-${login}-out-${periodKey}`} label="Download destinations (CSV)" />
      </p>

      {ended.data && ended.data.ended.length > 0 && (
        <>
          <div class="au-block-head">
            <h2>Where they went when its streams ended</h2>
            <CsvLink href={endedUrl(login, 'csv')} file={`audience-${login}-ended`} />
          </div>
          <EndedList ended={ended.data.ended} now={now} />
        </>
      )}

      <h2>Similar channels</h2>
      <Similar channel={login} refresh={tick} />

      <div class="au-block-head">
        <h2>Raids in and out</h2>
        <CsvLink href={raidsUrl(login, 'csv')} file={`audience-${login}-raids`} />
      </div>
      {raids.error && !raids.data && <ErrorNotice error={raids.error} api="Audience" />}
      {!raids.data && !raids.error && <Loading />}
      {raids.data && raids.data.raids.length === 0 && <p class="au-empty muted">No raid by or into {login} yet.</p>}
      {raids.data && raids.data.raids.length > 0 && <RaidsTable raids={raids.data.raids} now={now} label={`Raids by and into ${login}`} />}

      <Explained settings={list.data?.settings} />
    </section>
  );
}
