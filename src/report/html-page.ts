/**
 * A self-contained HTML page: inline CSS, inline SVG, no scripts, no external resources, so it
 * renders the same offline and from an e-mail attachment.
 */
import { esc } from './svg.js';

const CSS = `
body { font-family: 'Noto Sans', 'DejaVu Sans', 'Segoe UI', 'Helvetica Neue', Arial, sans-serif; margin: 24px auto; max-width: 1200px; color: #222; padding: 0 16px; }
h1 { font-size: 22px; } h2 { font-size: 17px; margin-top: 28px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
table { border-collapse: collapse; font-size: 13px; margin: 8px 0; }
th, td { padding: 3px 10px; border-bottom: 1px solid #eee; text-align: right; }
th { background: #f5f5f5; } td:first-child, th:first-child { text-align: left; }
.note { color: #666; font-size: 12px; } svg { max-width: 100%; height: auto; display: block; margin: 8px 0; }
.kv td:first-child { color: #555; } code { background: #f3f3f3; padding: 0 3px; }
`;

export function htmlPage(title: string, body: string[]): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>${CSS}</style>
</head>
<body>
${body.join('\n')}
</body>
</html>
`;
}

/** A simple HTML table: header cells and rows of already-formatted cells (escaped here). */
export function htmlTable(head: string[], rows: string[][], cls?: string): string {
  const th = head.map((h) => `<th>${esc(h)}</th>`).join('');
  const trs = rows.map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`).join('\n');
  return `<table${cls ? ` class="${cls}"` : ''}><thead><tr>${th}</tr></thead><tbody>\n${trs}\n</tbody></table>`;
}
