import { useEffect, useState } from 'preact/hooks';
import type { ComponentType } from 'preact';
import { AudiencePage } from './pages/audience';
import { DiscoverPage } from './pages/discover';
import { LivePage } from './pages/live';
import { LiveOverlay } from './pages/live/overlay';
import { MoodPage } from './pages/mood';
import { MoodOverlay } from './pages/mood/overlay';
import { StatusPage } from './pages/status';
import { WatchTimePage } from './pages/watchtime';
import { useStatus } from './lib/status';
import type { UI_OVERLAY_LIST, UI_PAGE_LIST, UiOverlayPath, UiPage, UiPagePath } from '../../src/web/pages';
import { navigate } from './lib/navigate';

/** src/web/pages.ts's lists, put into the bundle by vite.config.ts */
declare const __LURK_UI_PAGES__: typeof UI_PAGE_LIST;
declare const __LURK_UI_OVERLAYS__: typeof UI_OVERLAY_LIST;

interface Page extends UiPage {
  component: ComponentType;
}

// the pages the server serves (src/web/pages.ts), each with what draws it
const components: Record<UiPagePath, ComponentType> = {
  '/discover': DiscoverPage,
  '/watchtime': WatchTimePage,
  '/mood': MoodPage,
  '/audience': AudiencePage,
  '/live': LivePage,
  '/status': StatusPage,
};
const pages: Page[] = __LURK_UI_PAGES__.map((p) => ({ ...p, component: components[p.path] }));

// pages drawn alone, without the navigation (OBS browser sources)
const overlayComponents: Record<UiOverlayPath, ComponentType> = { '/overlay/mood': MoodOverlay, '/overlay/live': LiveOverlay };

/** the overlay at `path`, with its title, or undefined for the app's own pages */
export function overlayAt(path: string): { title: string; component: ComponentType } | undefined {
  const overlay = __LURK_UI_OVERLAYS__.find((o) => o.path === path);
  return overlay ? { title: overlay.title, component: overlayComponents[overlay.path] } : undefined;
}

function currentPath(): string {
  return window.location.pathname;
}

export function App() {
  const [path, setPath] = useState(currentPath());
  const { status } = useStatus();
  useEffect(() => {
    const onPop = () => setPath(currentPath());
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, []);
  // a page with sub-paths draws them too: /audience/<login> is the Audience page
  const page = pages.find((p) => p.path === path || (p.subPaths === true && path.startsWith(`${p.path}/`))) ?? pages[0]!;
  useEffect(() => {
    if (path === '/') history.replaceState(null, '', page.path);
    document.title = `${page.title} · Lurk`;
  }, [path, page]);
  const Current = page.component;
  return (
    <div class="shell">
      <header class="topbar">
        <a
          class="brand"
          href="/"
          onClick={(e) => {
            e.preventDefault();
            navigate(pages[0]!.path);
          }}
        >
          <span class="logo" aria-hidden="true" />
          Lurk
        </a>
        <nav aria-label="Main">
          {pages.map((p) => (
            <a
              key={p.path}
              href={p.path}
              aria-current={p === page ? 'page' : undefined}
              onClick={(e) => {
                if (e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0) return;
                e.preventDefault();
                navigate(p.path, { withQuery: p.queryViews === true });
              }}
            >
              {p.title}
            </a>
          ))}
        </nav>
        {status && (
          <span class={`mode ${status.mode}`} title={status.mode === 'simulator' ? 'No Twitch credentials configured: Lurk is talking to its built-in Twitch simulator' : 'Connected to real Twitch'}>
            {status.twitch}
          </span>
        )}
      </header>
      <main>
        <Current />
      </main>
    </div>
  );
}
