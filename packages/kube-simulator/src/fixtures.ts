/*
 * Fixture files (multi-document YAML of Kubernetes objects) and the
 * simulator config file that lists clusters and their fixtures.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { ClusterSpec, KubeObject } from './types';

/** A parsed simulator config file. */
export interface SimulatorConfig {
  host?: string;
  clusters: ClusterSpec[];
}

/** Parses multi-document YAML into Kubernetes objects (empty documents skipped). */
export function parseObjects(text: string, source = 'fixture'): KubeObject[] {
  const objects: KubeObject[] = [];
  parseAllDocuments(text).forEach((doc, index) => {
    if (doc.errors.length > 0) {
      throw new Error(
        `${source}: document ${index + 1}: ${doc.errors[0].message}`,
      );
    }
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) return;
    if (typeof value !== 'object' || Array.isArray(value)) {
      throw new Error(
        `${source}: document ${index + 1} is not a Kubernetes object`,
      );
    }
    const object = value as KubeObject;
    if (
      typeof object.kind !== 'string' ||
      typeof object.apiVersion !== 'string'
    ) {
      throw new Error(
        `${source}: document ${index + 1} has no kind/apiVersion`,
      );
    }
    objects.push(object);
  });
  return objects;
}

/** Fixture files named by a path: the file itself, or a directory's *.yaml / *.yml files (sorted). */
export function expandFixturePath(fixturePath: string): string[] {
  const stat = fs.statSync(fixturePath);
  if (!stat.isDirectory()) return [fixturePath];
  return fs
    .readdirSync(fixturePath)
    .filter(f => /\.ya?ml$/.test(f))
    .sort()
    .map(f => path.join(fixturePath, f));
}

/** Reads and parses fixture files. */
export function loadFixtureFiles(files: string[]): KubeObject[] {
  return files
    .flatMap(expandFixturePath)
    .flatMap(file => parseObjects(fs.readFileSync(file, 'utf8'), file));
}

function asRecord(value: unknown, where: string): Record<string, unknown> {
  if (!value || typeof value !== 'object' || Array.isArray(value))
    throw new Error(`${where} must be a mapping`);
  return value as Record<string, unknown>;
}

function optionalNumber(value: unknown, where: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
    throw new Error(`${where} must be a non-negative number`);
  return value;
}

/**
 * Parses a simulator config file. Fixture paths are relative to the config
 * file. A cluster's token is `token`, or read from the environment variable
 * named by `tokenEnv`.
 */
export function loadConfig(
  configFile: string,
  env: NodeJS.ProcessEnv = process.env,
): SimulatorConfig {
  const text = fs.readFileSync(configFile, 'utf8');
  const raw = asRecord(parseAllDocuments(text)[0]?.toJS() ?? {}, configFile);
  const baseDir = path.dirname(path.resolve(configFile));
  const defaultDuration = optionalNumber(
    raw.rolloutDurationMs,
    `${configFile}: rolloutDurationMs`,
  );
  if (!Array.isArray(raw.clusters) || raw.clusters.length === 0) {
    throw new Error(`${configFile}: clusters must be a non-empty list`);
  }
  const clusters = raw.clusters.map(
    (entry: unknown, i: number): ClusterSpec => {
      const where = `${configFile}: clusters[${i}]`;
      const c = asRecord(entry, where);
      if (typeof c.name !== 'string' || !c.name)
        throw new Error(`${where}.name is required`);
      const token = typeof c.tokenEnv === 'string' ? env[c.tokenEnv] : c.token;
      if (typeof token !== 'string' || !token) {
        throw new Error(
          `${where}: token (or tokenEnv naming a set environment variable) is required`,
        );
      }
      const fixtures = c.fixtures === undefined ? [] : c.fixtures;
      if (
        !Array.isArray(fixtures) ||
        fixtures.some(f => typeof f !== 'string')
      ) {
        throw new Error(`${where}.fixtures must be a list of file paths`);
      }
      return {
        name: c.name,
        port: optionalNumber(c.port, `${where}.port`) ?? 0,
        token,
        latencyMs: optionalNumber(c.latencyMs, `${where}.latencyMs`),
        rolloutDurationMs:
          optionalNumber(c.rolloutDurationMs, `${where}.rolloutDurationMs`) ??
          defaultDuration,
        fixtureFiles: (fixtures as string[]).map(f => path.resolve(baseDir, f)),
      };
    },
  );
  const names = new Set<string>();
  for (const c of clusters) {
    if (names.has(c.name))
      throw new Error(`${configFile}: duplicate cluster name ${c.name}`);
    names.add(c.name);
  }
  return {
    host: typeof raw.host === 'string' ? raw.host : undefined,
    clusters,
  };
}
