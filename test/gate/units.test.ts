/** Focused tests of the gate's pure parts: digests, attestation reading, callback parsing, rules, comment length. */
import { describe, expect, test } from 'vitest';
import { digestsFromPayload } from '../../src/gate/digests.js';
import { buildSignerUriFromCertificate, normaliseAllowEntry, parseSignerUri, readAttestation } from '../../src/gate/attestation.js';
import { parseCallbackUrl } from '../../src/collect/deployment.js';
import { decide, type GateFacts } from '../../src/gate/decide.js';
import { gateComment, MAX_COMMENT } from '../../src/gate/comment.js';
import { DEFAULT_GATE_POLICY } from '../../src/policy/config.js';
import { DecidedSet } from '../../src/app/gate.js';
import { attestation, certWithSigner } from './helpers.js';

const A = `sha256:${'a'.repeat(64)}`;
const B = `sha256:${'b'.repeat(64)}`;

describe('digestsFromPayload', () => {
  test('finds digests under any key, in image references, arrays and JSON-string payloads', () => {
    expect(digestsFromPayload({ model_digest: A, image: `ghcr.io/acme/model@${B}`, artifacts: [{ digest: A.toUpperCase().replace('SHA256', 'sha256') }] })).toEqual([A, B]);
    expect(digestsFromPayload(JSON.stringify({ digest: B }))).toEqual([B]);
  });
  test('ignores what is not a full sha256 digest', () => {
    expect(digestsFromPayload({ digest: 'sha256:abc', other: `sha256:${'a'.repeat(65)}`, n: 3 })).toEqual([]);
    expect(digestsFromPayload(null)).toEqual([]);
  });
});

describe('attestation signer', () => {
  test('reads the Build Signer URI extension of the certificate', () => {
    const der = new Uint8Array(Buffer.from(certWithSigner('https://github.com/acme/ml/.github/workflows/release.yml@refs/heads/main'), 'base64'));
    expect(buildSignerUriFromCertificate(der)).toBe('https://github.com/acme/ml/.github/workflows/release.yml@refs/heads/main');
    expect(buildSignerUriFromCertificate(new Uint8Array([0x30, 0x00]))).toBeUndefined();
  });
  test('prefers the certificate over the provenance predicate', () => {
    const a = attestation({ digest: A, certificateSigner: 'https://github.com/Acme/ML/.github/workflows/cert.yml@refs/tags/v1', provenanceWorkflow: 'acme/ml/.github/workflows/prov.yml' });
    expect(readAttestation(a, A).signer).toEqual({ repository: 'acme/ml', path: '.github/workflows/cert.yml', ref: 'refs/tags/v1', source: 'certificate' });
    const p = attestation({ digest: A, provenanceWorkflow: 'acme/ml/.github/workflows/prov.yml' });
    expect(readAttestation(p, A).signer).toMatchObject({ repository: 'acme/ml', path: '.github/workflows/prov.yml', source: 'provenance' });
  });
  test('an attestation of another subject, or without a bundle, has no signer', () => {
    expect(readAttestation(attestation({ digest: B, provenanceWorkflow: 'acme/ml/x.yml' }), A)).toEqual({ problem: 'the attested statement does not name this digest' });
    expect(readAttestation({ bundle_url: 'x' }, A).problem).toMatch(/no Sigstore bundle/);
  });
  test('a DSSE payload that is JSON but not a statement (null, a number) is a problem, not a crash', () => {
    for (const json of ['null', '42', '[]']) {
      const bundle = { dsseEnvelope: { payload: Buffer.from(json).toString('base64'), payloadType: 'application/vnd.in-toto+json', signatures: [] } };
      expect(readAttestation({ bundle }, A)).toEqual({ problem: 'the DSSE payload is not an in-toto statement' });
    }
  });
  test('allow-list entries and signer URIs normalise the same way', () => {
    expect(normaliseAllowEntry('https://github.com/Acme/ML/.github/workflows/release.yml@main')).toBe('acme/ml/.github/workflows/release.yml');
    expect(parseSignerUri('https://gitlab.com/a/b/c', 'certificate')).toBeUndefined();
  });
});

describe('parseCallbackUrl', () => {
  test('reads owner, repo and run id (also on GHES)', () => {
    expect(parseCallbackUrl('https://api.github.com/repos/acme/ml/actions/runs/42/deployment_protection_rule')).toEqual({ owner: 'acme', repo: 'ml', runId: 42 });
    expect(parseCallbackUrl('https://ghe.example.com/api/v3/repos/acme/ml/actions/runs/7/deployment_protection_rule')).toMatchObject({ runId: 7 });
  });
  test.each([undefined, 'not a url', 'https://api.github.com/repos/acme/ml/actions/runs/abc/deployment_protection_rule', 'https://api.github.com/repos/acme/ml/actions/runs/0/deployment_protection_rule', 'https://api.github.com/repos/acme%E0%A4%A/ml/actions/runs/7/deployment_protection_rule'])('rejects %s', (u) => {
    expect(parseCallbackUrl(u)).toBeUndefined();
  });
});

function facts(extra: Partial<GateFacts> = {}): GateFacts {
  return {
    owner: 'acme',
    repo: 'ml',
    environment: 'production',
    policy: DEFAULT_GATE_POLICY,
    workflow: { ok: true, value: { path: '.github/workflows/release.yml', runBlob: 'x', defaultBlob: 'x', defaultBranch: 'main' } },
    findings: { ok: true, value: { files: ['.github/workflows/release.yml'], findings: [] } },
    digests: [A],
    attestations: { ok: true, value: [{ digest: A, signers: [{ repository: 'acme/ml', path: '.github/workflows/release.yml', source: 'certificate' }], problems: [] }] },
    environmentProtection: { ok: true, value: undefined },
    ...extra,
  };
}

describe('decide', () => {
  test('an empty allow-list accepts any workflow of the deploying repository, and only those', () => {
    expect(decide(facts()).state).toBe('approved');
    const foreign = facts({ attestations: { ok: true, value: [{ digest: A, signers: [{ repository: 'evil/fork', path: '.github/workflows/release.yml', source: 'provenance' }], problems: [] }] } });
    expect(decide(foreign).state).toBe('rejected');
  });
  test('an unknown fact fails its rule, or warns with fail_open', () => {
    const f = facts({ findings: { ok: false, reason: 'boom' } });
    expect(decide(f).rules[0]).toMatchObject({ status: 'fail', reason: 'could not check: boom' });
    const open = decide({ ...f, policy: { ...DEFAULT_GATE_POLICY, failOpen: true } });
    expect(open.state).toBe('approved');
    expect(open.rules[0].status).toBe('warn');
  });
  test('require_default_branch_workflow: false turns a changed workflow into a warning', () => {
    const f = facts({ workflow: { ok: true, value: { path: 'w.yml', runBlob: 'x', defaultBlob: 'y', defaultBranch: 'main' } } });
    expect(decide(f).state).toBe('rejected');
    expect(decide({ ...f, policy: { ...DEFAULT_GATE_POLICY, requireDefaultBranchWorkflow: false } }).state).toBe('approved');
  });
});

describe('comment', () => {
  test('stays within the length budget and escapes repository text', () => {
    const long = facts({ environment: '@team <b>prod</b>', findings: { ok: false, reason: 'x'.repeat(5000) }, workflow: { ok: false, reason: 'y'.repeat(5000) } });
    const text = gateComment(decide(long), long.environment, 'a'.repeat(40));
    expect(Array.from(text).length).toBeLessThanOrEqual(MAX_COMMENT);
    expect(text).not.toContain('<b>');
    expect(text).toContain('@\u200dteam');
  });
});

describe('DecidedSet', () => {
  test('forgets the oldest key beyond its size', () => {
    const s = new DecidedSet(2);
    s.add('a');
    s.add('b');
    s.add('c');
    expect([s.has('a'), s.has('b'), s.has('c')]).toEqual([false, true, true]);
  });
});
