// Saving what the API answered as a file (a CSV export): the answer is
// fetched like any other call, with the session and the organization acted
// as, then handed to the browser as a download.

/** Offers `blob` as a download named `fileName`. */
export function saveFile(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = fileName;
  link.style.display = "none";
  document.body.append(link);
  link.click();
  link.remove();
  // The download has its own copy once it started.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** A file name from a label people chose (a group's name): no path or reserved characters. */
export function safeFileName(name: string): string {
  const cleaned = name.replace(/[\\/:*?"<>|\p{Cc}]+/gu, "_").trim();
  return cleaned || "export";
}
