/* Building blocks of the HTML reports: escaping, tables, rows. */

const htmlEscapes: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => htmlEscapes[char]);
}

/** A table of HTML cells (escaped by the caller) under plain-text headers. */
export function table(headers: string[], rows: string[], className?: string): string {
  const head = headers.map((header) => `<th>${escapeHtml(header)}</th>`).join('');
  const open = className ? `<table class="${className}">` : '<table>';
  return `${open}<thead><tr>${head}</tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

/** A row of HTML cells; a cell may carry a class of its own. */
export function row(className: string, cells: Array<string | { html: string; className: string }>): string {
  const tds = cells.map((cell) =>
    typeof cell === 'string' ? `<td>${cell}</td>` : `<td class="${cell.className}">${cell.html}</td>`,
  );
  return `<tr class="${className}">${tds.join('')}</tr>`;
}

/**
 * The evidence hash a page states (the seal of its run directory's evidence.json), for
 * whoever holds the printed page to check against the files with `gameday verify`.
 */
export function evidenceLine(hash: string | null): string {
  if (hash === null) return '';
  return (
    `<p class="evidence">Evidence: SHA-256 <code>${escapeHtml(hash)}</code> (evidence.json beside this ` +
    'report; <code>gameday verify</code> checks that its journal and reports are the ones written when it ran).</p>'
  );
}
