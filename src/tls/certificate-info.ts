import { X509Certificate } from 'node:crypto'

/** What is logged about a certificate: who it names, who signed it, when it expires. Nothing secret. */
export interface CertificateInfo {
  /** `CN=api.example, O=Example` */
  subject: string
  issuer: string
  /** hex, as `openssl x509 -serial` prints it */
  serial: string
  /** ISO 8601 */
  notBefore: string
  notAfter: string
  /** SHA-256 fingerprint, colon-separated hex */
  fingerprint256: string
}

function oneLine (name: string): string {
  return name.split('\n').filter((part) => part !== '').join(', ')
}

export function describeCertificate (certificate: X509Certificate): CertificateInfo {
  return {
    subject: oneLine(certificate.subject),
    issuer: oneLine(certificate.issuer),
    serial: certificate.serialNumber.toUpperCase(),
    notBefore: new Date(certificate.validFrom).toISOString(),
    notAfter: new Date(certificate.validTo).toISOString(),
    fingerprint256: certificate.fingerprint256
  }
}

/** The fields of a log line about a certificate (snake case, as riskgate's logs are). */
export function certificateLogFields (info: CertificateInfo): Record<string, string> {
  return { subject: info.subject, issuer: info.issuer, serial: info.serial, not_after: info.notAfter }
}
