#!/usr/bin/env node
// Removes the compiled output so that files deleted from src/ leave no stale tests behind.
import { rmSync } from 'node:fs';

rmSync('dist', { recursive: true, force: true });
