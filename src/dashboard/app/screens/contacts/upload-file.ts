import { API_BASE, ApiError } from '../../lib/api.ts';

/**
 * Uploads a file as the request body with progress (fetch cannot report upload progress; XMLHttpRequest
 * can). Same cookie and CSRF header as every other call.
 */
export function uploadFile<T>(
  path: string,
  file: File,
  contentType: string,
  onProgress: (fraction: number) => void,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open('POST', `${API_BASE}${path}`);
    request.setRequestHeader('content-type', contentType);
    request.setRequestHeader('x-coxcox-csrf', '1');
    request.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    };
    request.onload = () => {
      let body: unknown = null;
      try {
        body = JSON.parse(request.responseText);
      } catch {
        body = null;
      }
      if (request.status >= 200 && request.status < 300) resolve(body as T);
      else {
        const error = (body as { error?: { code?: string; message?: string } } | null)?.error;
        reject(
          new ApiError(
            request.status,
            error?.code ?? 'internal',
            error?.message ?? `Upload failed (${request.status})`,
          ),
        );
      }
    };
    request.onerror = () => reject(new TypeError('network error'));
    request.send(file);
  });
}

/** About how many rows a file has, to show progress while the server reads it: lines after a CSV's header. */
export async function estimateRows(file: File, format: 'csv' | 'json'): Promise<number | null> {
  // Past 50 MB counting would take a while in the browser: the bar shows activity instead.
  if (file.size > 50 * 1024 * 1024) return null;
  const text = await file.text();
  if (format === 'json') {
    const trimmed = text.trimStart();
    if (trimmed.startsWith('[')) return null;
    return text.split('\n').filter((line) => line.trim() !== '').length;
  }
  let lines = 0;
  for (let index = 0; index < text.length; index += 1) if (text.charCodeAt(index) === 10) lines += 1;
  if (text.length > 0 && !text.endsWith('\n')) lines += 1;
  return Math.max(0, lines - 1);
}
