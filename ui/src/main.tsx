import { render } from 'preact';
import { App, overlayAt } from './app';
import './styles.css';

const overlay = overlayAt(window.location.pathname);
if (overlay) {
  // transparent and bare for OBS (see .overlay in the styles)
  document.documentElement.classList.add('overlay');
  document.title = `${overlay.title} · Lurk`;
  const Overlay = overlay.component;
  render(<Overlay />, document.getElementById('app')!);
} else {
  render(<App />, document.getElementById('app')!);
}
