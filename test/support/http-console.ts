// A browser stand-in for the console over a real socket (the red-team suite's server is a child
// process, so app.inject is not available): keeps cookies, reads the CSRF token from pages, posts
// forms the way a same-origin browser does (Sec-Fetch-Site), never follows redirects.
export interface HttpReply {
  readonly status: number;
  readonly location: string | undefined;
  readonly body: string;
}

export class HttpConsole {
  readonly cookies = new Map<string, string>();
  csrf: string | undefined;

  constructor(readonly base: string) {}

  private async send(method: string, url: string, body?: string, headers: Record<string, string> = {}): Promise<HttpReply> {
    const cookie = this.cookies.size ? { cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ') } : {};
    const r = await fetch(new URL(url, this.base), { method, redirect: 'manual', headers: { ...cookie, ...headers }, ...(body === undefined ? {} : { body }), signal: AbortSignal.timeout(60_000) });
    for (const line of r.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      if (/max-age=0/i.test(line) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    const text = await r.text();
    const token = /name="_csrf" value="([^"]+)"/.exec(text)?.[1];
    if (token) this.csrf = token;
    return { status: r.status, location: r.headers.get('location') ?? undefined, body: text };
  }

  get(url: string): Promise<HttpReply> {
    return this.send('GET', url);
  }

  post(url: string, form: Record<string, string> = {}): Promise<HttpReply> {
    const body = new URLSearchParams({ ...(this.csrf ? { _csrf: this.csrf } : {}), ...form }).toString();
    return this.send('POST', url, body, { 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': 'same-origin' });
  }

  /** Signs in through the login form; throws unless it worked. */
  async signIn(email: string, password: string): Promise<this> {
    await this.get('/console/login');
    const r = await this.post('/console/login', { email, password });
    if (r.status !== 303) throw new Error(`console sign-in: ${r.status} ${r.body.slice(0, 300)}`);
    await this.get(r.location!);
    return this;
  }
}
