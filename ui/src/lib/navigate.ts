// Moving between the app's pages without a reload: the app listens for popstate and draws the
// page at the new path. A file of its own so pages can navigate without importing the app.

export function navigate(path: string, { withQuery = false } = {}): void {
  const here = window.location.pathname;
  if (path === (withQuery ? `${here}${window.location.search}` : here)) return;
  history.pushState(null, '', path);
  window.dispatchEvent(new PopStateEvent('popstate'));
}
