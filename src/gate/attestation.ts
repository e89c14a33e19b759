/**
 * Reads who signed an artifact attestation, from what `GET /repos/{owner}/{repo}/attestations/{digest}`
 * returns (a Sigstore bundle per attestation). Two sources, in this order:
 *
 * 1. The signing certificate (`verificationMaterial.certificate.rawBytes`, or the first certificate of
 *    `x509CertificateChain`): Fulcio writes the workflow that requested it into the extension
 *    1.3.6.1.4.1.57264.1.9 "Build Signer URI", e.g.
 *    `https://github.com/acme/ml/.github/workflows/release.yml@refs/heads/main`.
 * 2. The in-toto statement in the DSSE envelope: SLSA provenance v1 names the workflow in
 *    `predicate.buildDefinition.externalParameters.workflow` `{repository, path, ref}`.
 *
 * LIMITS (documented in the README): this is parsing, not verification. Nothing here checks the DSSE
 * signature, the certificate chain up to Sigstore's (or GitHub's) root, the transparency-log entry or
 * the certificate's validity window. The gate relies on GitHub's attestation store for the repository
 * (only a workflow holding `attestations: write` in that repository can add to it) and reads the
 * claimed signer. For cryptographic assurance, run `gh attestation verify` in the deploying job too.
 * A statement whose `subject` does not list the digest is ignored; so is a bundle we cannot read.
 */

export interface Signer {
  /** `owner/repo`, lower-cased. */
  repository: string;
  /** Workflow file path in that repository, e.g. `.github/workflows/release.yml`. */
  path: string;
  ref?: string;
  source: 'certificate' | 'provenance';
}

/** `owner/repo/.github/workflows/x.yml` (case-insensitive on owner/repo, as GitHub is). */
export function signerKey(s: Pick<Signer, 'repository' | 'path'>): string {
  return `${s.repository.toLowerCase()}/${s.path}`;
}

export function normaliseAllowEntry(entry: string): string {
  const parts = entry.trim().replace(/^https:\/\/github\.com\//i, '').split('@')[0].split('/');
  if (parts.length < 3) return entry.trim();
  return `${parts[0].toLowerCase()}/${parts[1].toLowerCase()}/${parts.slice(2).join('/')}`;
}

/** `https://github.com/acme/ml/.github/workflows/release.yml@refs/heads/main` → signer. */
export function parseSignerUri(uri: string, source: Signer['source']): Signer | undefined {
  const m = /^https:\/\/github\.com\/([^/]+)\/([^/]+)\/(.+?)(?:@(.+))?$/i.exec(uri.trim());
  if (!m) return undefined;
  return { repository: `${m[1]}/${m[2]}`.toLowerCase(), path: m[3], ...(m[4] ? { ref: m[4] } : {}), source };
}

// DER of OID 1.3.6.1.4.1.57264.1.9 (Fulcio "Build Signer URI").
const BUILD_SIGNER_URI_OID = Uint8Array.from([0x06, 0x0a, 0x2b, 0x06, 0x01, 0x04, 0x01, 0x83, 0xbf, 0x30, 0x01, 0x09]);

function readLength(der: Uint8Array, at: number): { len: number; next: number } | undefined {
  const first = der[at];
  if (first === undefined) return undefined;
  if (first < 0x80) return { len: first, next: at + 1 };
  const n = first & 0x7f;
  if (n === 0 || n > 3) return undefined;
  let len = 0;
  for (let i = 1; i <= n; i++) {
    const b = der[at + i];
    if (b === undefined) return undefined;
    len = len * 256 + b;
  }
  return { len, next: at + 1 + n };
}

function indexOf(hay: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = 0; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

/** The Build Signer URI of a DER certificate, by locating the extension (no full X.509 parse). */
export function buildSignerUriFromCertificate(der: Uint8Array): string | undefined {
  const at = indexOf(der, BUILD_SIGNER_URI_OID);
  if (at < 0) return undefined;
  let p = at + BUILD_SIGNER_URI_OID.length;
  if (der[p] === 0x01) p += 3; // critical BOOLEAN
  if (der[p] !== 0x04) return undefined; // extnValue OCTET STRING
  const outer = readLength(der, p + 1);
  if (!outer) return undefined;
  p = outer.next;
  if (der[p] !== 0x0c) return undefined; // UTF8String (the encoding Fulcio uses for 1.9 onwards)
  const inner = readLength(der, p + 1);
  if (!inner || inner.next + inner.len > der.length) return undefined;
  return new TextDecoder().decode(der.subarray(inner.next, inner.next + inner.len));
}

interface Statement {
  subject?: { digest?: Record<string, unknown> }[];
  predicateType?: unknown;
  predicate?: { buildDefinition?: { externalParameters?: { workflow?: { repository?: unknown; path?: unknown; ref?: unknown } } } };
}

const obj = (v: unknown): Record<string, unknown> | undefined => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined);

function decodeBase64(v: unknown): Uint8Array | undefined {
  if (typeof v !== 'string' || v === '') return undefined;
  const buf = Buffer.from(v, 'base64');
  return buf.length > 0 ? new Uint8Array(buf) : undefined;
}

export interface AttestationReading {
  signer?: Signer;
  /** Why no signer could be read (for the comment). */
  problem?: string;
}

/** Reads one attestation of `digest` (`sha256:<hex>`). */
export function readAttestation(attestation: unknown, digest: string): AttestationReading {
  const bundle = obj(obj(attestation)?.bundle);
  if (!bundle) return { problem: 'no Sigstore bundle in the reply' };
  const hex = digest.replace(/^sha256:/, '');

  let statement: Statement | undefined;
  const envelope = obj(bundle.dsseEnvelope);
  const payload = decodeBase64(envelope?.payload);
  if (payload) {
    try {
      statement = obj(JSON.parse(new TextDecoder().decode(payload))) as Statement | undefined;
    } catch {
      return { problem: 'the DSSE payload is not JSON' };
    }
    // `null`, a number or a list is valid JSON but no in-toto statement.
    if (!statement) return { problem: 'the DSSE payload is not an in-toto statement' };
    const subjects = Array.isArray(statement.subject) ? statement.subject : [];
    if (!subjects.some((s) => String(obj(obj(s)?.digest)?.sha256).toLowerCase() === hex)) {
      return { problem: 'the attested statement does not name this digest' };
    }
  }

  const material = obj(bundle.verificationMaterial);
  const cert = decodeBase64(obj(material?.certificate)?.rawBytes) ?? decodeBase64(obj((obj(material?.x509CertificateChain)?.certificates as unknown[] | undefined)?.[0])?.rawBytes);
  const uri = cert ? buildSignerUriFromCertificate(cert) : undefined;
  const fromCert = uri ? parseSignerUri(uri, 'certificate') : undefined;
  if (fromCert) return { signer: fromCert };

  const wf = statement?.predicate?.buildDefinition?.externalParameters?.workflow;
  if (wf && typeof wf.repository === 'string' && typeof wf.path === 'string') {
    const repo = wf.repository.replace(/^https:\/\/github\.com\//i, '').replace(/\/$/, '');
    if (/^[^/]+\/[^/]+$/.test(repo)) {
      return { signer: { repository: repo.toLowerCase(), path: wf.path.replace(/^\//, ''), ...(typeof wf.ref === 'string' ? { ref: wf.ref } : {}), source: 'provenance' } };
    }
  }
  return { problem: 'no signer workflow in the certificate or the provenance' };
}
