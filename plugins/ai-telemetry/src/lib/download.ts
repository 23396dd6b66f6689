/** Saves content as a file in the browser (a click on a temporary object-URL link). */
export function saveFile(
  content: Blob | string,
  filename: string,
  type = 'text/csv',
): void {
  const blob =
    typeof content === 'string' ? new Blob([content], { type }) : content;
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  document.body.appendChild(link);
  link.click();
  link.remove();
  URL.revokeObjectURL(url);
}
