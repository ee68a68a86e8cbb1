/** The claims the UI reads from an access token (it never verifies it: the gateway does). */
export interface AccessClaims {
  sub: string;
  roles: string[];
  emailVerified: boolean;
  exp: number;
}

function base64UrlDecode(part: string): string {
  const padded = part.replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(part.length / 4) * 4, "=");
  const bytes = Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
  return new TextDecoder().decode(bytes);
}

export function readClaims(token: string): AccessClaims | null {
  const payload = token.split(".")[1];
  if (!payload) return null;
  try {
    const raw = JSON.parse(base64UrlDecode(payload)) as Record<string, unknown>;
    return {
      sub: typeof raw.sub === "string" ? raw.sub : "",
      roles: Array.isArray(raw.roles) ? raw.roles.filter((r): r is string => typeof r === "string") : [],
      emailVerified: raw.email_verified === true,
      exp: typeof raw.exp === "number" ? raw.exp : 0,
    };
  } catch {
    return null;
  }
}
