import type { Model } from '../model.js';
import { kv } from './kv.js';
import { log } from './log.js';
import { maxRegister } from './maxRegister.js';
import { casRegister, register } from './register.js';

/** Every model, by the name `--model` takes. */
export const models: Readonly<Record<string, Model>> = {
  register: register as Model,
  'cas-register': casRegister as Model,
  kv: kv as Model,
  'max-register': maxRegister as Model,
  log: log as Model,
};

export const modelNames = Object.keys(models);
