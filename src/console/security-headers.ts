/**
 * @fastify/helmet's options for the console's responses: a strict Content-Security-Policy (its
 * own scripts, styles and images only, no inline code, no framing, no plugins, no foreign form
 * targets), no framing by X-Frame-Options either, no Referer sent.
 */
export const helmetOptions = {
  global: true,
  contentSecurityPolicy: {
    useDefaults: false,
    directives: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'"],
      imgSrc: ["'self'"],
      fontSrc: ["'self'"],
      connectSrc: ["'self'"],
      objectSrc: ["'none'"],
      baseUri: ["'none'"],
      formAction: ["'self'"],
      frameAncestors: ["'none'"]
    }
  },
  frameguard: { action: 'deny' as const },
  referrerPolicy: { policy: 'no-referrer' as const }
}
