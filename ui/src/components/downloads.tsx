export interface Download {
  label: string;
  /** the JSON URL */
  json: string;
  /** the same figures as CSV */
  csv: string;
  /** the file name without its extension */
  file: string;
}

/** "Download CSV · JSON" for blocks of figures */
export function Downloads({ items }: { items: Download[] }) {
  return (
    <div class="wt-downloads small" data-field="downloads">
      {items.map((d) => (
        <span key={d.file} class="wt-download">
          <span class="muted">{d.label}</span>
          <a href={d.csv} download={`${d.file}.csv`} data-format="csv">
            Download CSV
          </a>
          <a href={d.json} download={`${d.file}.json`} data-format="json">
            JSON
          </a>
        </span>
      ))}
    </div>
  );
}
