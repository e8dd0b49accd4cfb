// The UI's pages, listed once: the server answers each path with the UI's index.html, and the UI
// draws its navigation from the same list (vite.config.ts puts it into the bundle as
// __LURK_UI_PAGES__, so the UI still imports only types from src/). Plain data, no imports.

export interface UiPage {
  path: string;
  /** the navigation label and the document title */
  title: string;
  /** the page keeps views in its query string (?game=…): its nav link goes back to the first view */
  queryViews?: boolean;
  /** the page also draws one item per path segment under it (/audience/<login>): the server answers those too */
  subPaths?: boolean;
}

/** in navigation order; the first is the landing page (`/` goes there). A capability's page is listed when it lands. */
export const UI_PAGE_LIST = [
  { path: '/discover', title: 'Discover' },
  { path: '/watchtime', title: 'Watch time', queryViews: true },
  { path: '/mood', title: 'Mood', queryViews: true },
  { path: '/audience', title: 'Audience', subPaths: true },
  { path: '/live', title: 'Live', subPaths: true },
  { path: '/status', title: 'Status' },
] as const satisfies readonly UiPage[];

export type UiPagePath = (typeof UI_PAGE_LIST)[number]['path'];

/**
 * Pages drawn without the navigation, for OBS browser sources and embedding: under /overlay/
 * (web/headers.ts OVERLAY_PREFIX), so they may be framed. Served with the same index.html.
 */
export const UI_OVERLAY_LIST = [
  { path: '/overlay/mood', title: 'Mood overlay' },
  { path: '/overlay/live', title: 'Live overlay' },
] as const satisfies readonly UiPage[];

export type UiOverlayPath = (typeof UI_OVERLAY_LIST)[number]['path'];

/** every path the server answers with index.html, as Fastify routes (a page's sub-paths as one parameter) */
export const UI_PAGE_PATHS: readonly string[] = [...UI_PAGE_LIST, ...UI_OVERLAY_LIST].flatMap((p: UiPage) => (p.subPaths ? [p.path, `${p.path}/:item`] : [p.path]));
