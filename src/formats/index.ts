// The model file formats, pure (bytes in, bytes out), so they run in browsers too. The Node helpers that read and
// write files are in ./node/ and are not part of this entry.

export {
  encodeSafetensors, safetensorsChunks, readSafetensors, tensorValues, layoutSafetensors, parseSafetensorsHeader,
  safetensorsHeaderLength, planMetadata, planTensorSpecs, SafetensorsError, MAX_HEADER_BYTES, MAX_HEADER_TENSORS,
} from './safetensors.js';
export type {
  SafetensorsErrorCode, SafetensorsTensor, SafetensorsHeader, SafetensorsEntry, ReadOptions, TensorSpec, LaidOutTensor,
  Layout as SafetensorsLayout, EncodeOptions,
} from './safetensors.js';
export { SAFETENSORS_DTYPES, STORED_AS, type SafetensorsDtype } from './dtypes.js';
export { planShards, shardFileName, indexFileName, partOfShard, parseByteSize, indexJson, parseIndex, type Shard, type ShardIndex } from './shards.js';
export { synchronousProducer, type SliceProducer, type SliceArray } from './producer.js';
export { Accumulator, type Summary } from './stats.js';
