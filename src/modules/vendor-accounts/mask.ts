/**
 * What may be shown of a credential: its last four characters when it is
 * long enough that they give nothing away, else only that it is set.
 */
export function maskSecret(value: string): string {
  return value.length >= 12 ? `••••${value.slice(-4)}` : "••••";
}

export function maskCredentials(credentials: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(credentials).map(([k, v]) => [k, maskSecret(v)]));
}
