// A model as PyTorch builds it: torch.manual_seed(seed), then its torch.nn modules constructed one after another,
// all drawing from the one default generator. Every value therefore depends on every module built before it
// (PyTorch's design: one sequential stream). One parameter is found by replaying the modules before its own,
// passing over their draws without computing them (TorchGenerator.skipModule), which costs a few nanoseconds a
// word; sequential lookups resume where the previous one started.

import { TorchGenerator, type TorchSeed } from './generator.js';
import { planTorchModule, type TorchModuleSpec } from './modules.js';

export interface TorchProgramModule {
  /** The module's name in the model ('fc1', 'h.0.attn'): its parameters are `${name}.${parameter}`. */
  readonly name: string;
  readonly spec: TorchModuleSpec;
}

/** The torch.nn modules of a model, in the order its constructor builds them. */
export interface TorchProgram {
  readonly modules: readonly TorchProgramModule[];
}

const fullName = (module: TorchProgramModule, parameter: string) => (module.name ? `${module.name}.${parameter}` : parameter);

/**
 * torch.manual_seed(seed), then every module constructed in order: the parameters by full name
 * (`${module.name}.${parameter}`). Modules none of whose parameters `wanted` selects are skipped, not computed;
 * the generator advances the same either way.
 */
export function runTorchProgram(program: TorchProgram, seed: TorchSeed, wanted: (name: string) => boolean = () => true): Map<string, Float32Array> {
  const g = new TorchGenerator(seed);
  const values = new Map<string, Float32Array>();
  for (const module of program.modules) {
    const names = planTorchModule(module.spec).parameters.map((parameter) => parameter.name);
    if (!names.some((parameter) => wanted(fullName(module, parameter)))) {
      g.skipModule(module.spec);
      continue;
    }
    for (const [parameter, array] of Object.entries(g.module(module.spec))) {
      if (wanted(fullName(module, parameter))) values.set(fullName(module, parameter), array);
    }
  }
  return values;
}

/** Where the last lookup in a program started: the generator state at the start of a module, for one seed. */
const resumePoints = new WeakMap<TorchProgram, { seed: bigint; module: number; state: Uint8Array }>();

/**
 * One parameter of program.modules[module], as runTorchProgram(program, seed) computes it: the generator is
 * seeded, passes over the draws of the modules before (from the last lookup's starting point when it is not
 * past this module and the seed is the same), then constructs this module computing only `parameter`.
 */
export function torchProgramParameter(program: TorchProgram, seed: TorchSeed, module: number, parameter: string): Float32Array {
  const g = new TorchGenerator(seed);
  const seedBits = g.initialSeed();
  const resume = resumePoints.get(program);
  let at = 0;
  if (resume !== undefined && resume.seed === seedBits && resume.module <= module) {
    g.setState(resume.state);
    at = resume.module;
  }
  for (; at < module; at++) g.skipModule(program.modules[at].spec);
  resumePoints.set(program, { seed: seedBits, module, state: g.getState() });
  return g.moduleParameter(program.modules[module].spec, parameter);
}
