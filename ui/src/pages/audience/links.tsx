import type { ComponentChildren } from 'preact';
import { channelHref } from '../../lib/audience';
import { navigate } from '../../lib/navigate';

/** a link within the app: a plain click navigates without a reload, a modified one opens as the browser likes */
export function AppLink({ href, children, class: className }: { href: string; children: ComponentChildren; class?: string }) {
  return (
    <a
      href={href}
      class={className}
      onClick={(e) => {
        if (e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0) return;
        e.preventDefault();
        navigate(href);
      }}
    >
      {children}
    </a>
  );
}

/** a channel's name, linking to its Audience view */
export function ChannelLink({ login }: { login: string }) {
  return (
    <AppLink href={channelHref(login)} class="au-channel">
      {login}
    </AppLink>
  );
}

/** "Download CSV" for one block of figures */
export function CsvLink({ href, file, label = 'Download CSV' }: { href: string; file: string; label?: string }) {
  return (
    <a class="small" href={href} download={`${file}.csv`} data-format="csv">
      {label}
    </a>
  );
}
