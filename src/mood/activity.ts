// The two labels a window carries: how busy the chat is (Strafe's activity labels) and how it feels.
import type { ActivityLabel, MoodLabel } from './types.js';

/**
 * Strafe's six labels for a message rate (messages per minute). Lurk applies them to the 5-minute
 * window's rate with quiet minutes counted as zero, where Strafe averaged over a channel's active
 * minutes since it was first seen: a chat that went quiet reads "Zzz" within minutes here.
 */
export function activityLabel(messagesPerMinute: number): ActivityLabel {
  if (messagesPerMinute < 5) return 'Zzz';
  if (messagesPerMinute < 10) return 'Surviving smoothly';
  if (messagesPerMinute < 25) return 'Sounds interesting';
  if (messagesPerMinute < 40) return 'Blowing some minds';
  if (messagesPerMinute < 60) return 'Collecting spammers';
  return 'More than meets the eye';
}

/** a window's mean score at or above this reads positive, at or below its negative reads negative */
export const MOOD_THRESHOLD = 0.05;

/**
 * A window's mood from the mean of its messages' scores (null when it had none). Mean-based rather
 * than shares-based because the mean nets the positive messages against the negative ones and
 * weighs them by strength: a chat split 30 % "PogChamp" / 30 % "NotLikeThis" is neutral, and one
 * strongly positive message among ten neutral ones moves it less than ten mildly positive ones.
 * Shares would need a rule per label and a tie-break, and most chat is neutral, so a share-based
 * "neutral wins" would hide every swing. The threshold is VADER's ±0.05 on its compound score,
 * which sits on the same -1..1 scale; neutral messages score 0 and dilute the mean, so a window is
 * positive only when its positives outweigh its negatives by a visible margin.
 */
export function moodOf(meanScore: number | null): MoodLabel | null {
  if (meanScore === null || Number.isNaN(meanScore)) return null;
  if (meanScore >= MOOD_THRESHOLD) return 'positive';
  if (meanScore <= -MOOD_THRESHOLD) return 'negative';
  return 'neutral';
}
