/** Types of verify-riskgate-signature.mjs (the snippet the README shows). */
export function verifyRiskgateSignature (
  rawBody: Buffer | string,
  header: string | undefined,
  secret: string,
  options?: { toleranceSeconds?: number, nowSeconds?: number }
): boolean
