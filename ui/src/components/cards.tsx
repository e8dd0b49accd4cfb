import type { ComponentChildren } from 'preact';

export interface Card {
  label: string;
  value: ComponentChildren;
  note?: ComponentChildren;
  /** the value's data-field */
  field?: string;
  /** the value's tooltip */
  title?: string;
  /** a smaller value (a line of links, say) */
  small?: boolean;
}

/** figures as cards: a label, a value, a note under it */
export function Cards({ cards, class: className, field, section }: { cards: Card[]; class?: string; field?: string; section?: string }) {
  return (
    <div class={className ? `cards ${className}` : 'cards'} data-field={field} data-section={section}>
      {cards.map((c) => (
        <div class="card" key={c.label}>
          <div class="label">{c.label}</div>
          <div class={c.small ? 'value small' : 'value'} data-field={c.field} title={c.title}>
            {c.value}
          </div>
          {c.note !== undefined && <div class="muted small">{c.note}</div>}
        </div>
      ))}
    </div>
  );
}
