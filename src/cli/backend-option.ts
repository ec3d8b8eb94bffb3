import { Option } from 'commander';
import { BACKEND_REQUESTS, parseBackendRequest, type BackendRequest } from '../backend/select-backend.js';

/** `--backend <name>`, defaulting to $BLT_BACKEND, else auto. */
export function backendOption(): Option {
  return new Option('--backend <name>', 'compute backend (env BLT_BACKEND)')
    .choices(BACKEND_REQUESTS as string[])
    .env('BLT_BACKEND')
    .default('auto');
}

export function backendFrom(value: unknown): BackendRequest {
  return parseBackendRequest(value ?? 'auto');
}
