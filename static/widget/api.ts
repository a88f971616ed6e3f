// The REST routes the widget calls on its server (CONTRACT §4 and §6), all CORS-enabled.

export class ApiError extends Error {}

/** JSON to/from the server; a non-2xx answer throws ApiError with the server's message. */
export async function call<T>(
  base: string,
  path: string,
  body?: object | FormData,
  headers: Record<string, string> = {},
): Promise<T> {
  const init: RequestInit = { method: body ? "POST" : "GET", headers: { ...headers } };
  if (body instanceof FormData) init.body = body;
  else if (body) {
    init.body = JSON.stringify(body);
    (init.headers as Record<string, string>)["Content-Type"] = "application/json";
  }
  const response = await fetch(base + path, init);
  const text = await response.text();
  let data: { message?: string } = {};
  try {
    data = text ? JSON.parse(text) : {};
  } catch {
    // not JSON (a proxy's error page): keep the status as the message
  }
  if (!response.ok) throw new ApiError(data.message || String(response.status));
  return data as T;
}

export const enc = encodeURIComponent;
