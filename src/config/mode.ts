// Types only (the UI reads it through src/status/types.ts): no runtime imports here.

/** simulator: no Twitch credentials, the built-in simulator plays Twitch; twitch: the real one */
export type Mode = 'simulator' | 'twitch';
