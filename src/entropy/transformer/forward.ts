import * as tf from '@tensorflow/tfjs';
import { BltError } from '../../core/errors.js';
import { attention, type AttentionConstants } from '../../nn/attention.js';
import { attentionConstants } from './constants-cache.js';
import { rmsNorm } from '../../nn/rms-norm.js';
import { swiglu } from '../../nn/swiglu.js';
import type { EntropyTransformer } from './types.js';
import { layerWeightNames } from './weight-specs.js';

function weight<T extends tf.Tensor>(model: EntropyTransformer, name: string): T {
  const w = model.weights.get(name);
  if (!w) throw new BltError('INTERNAL', `entropy model has no weight ${name}`);
  return w as unknown as T;
}

function checkTokens(model: EntropyTransformer, tokens: tf.Tensor): void {
  if (tokens.rank !== 2 || tokens.dtype !== 'int32') {
    throw new BltError(
      'BAD_OPTION',
      `Expected tokens to be an int32 tensor [B,T], got ${tokens.dtype} [${tokens.shape.join(',')}].`,
      "build it with tf.tensor2d(ids, [B, T], 'int32')",
    );
  }
  const T = tokens.shape[1] ?? 0;
  if (T < 1 || T > model.config.max_seqlen) {
    throw new BltError(
      'BAD_OPTION',
      `Expected a sequence length in [1, ${model.config.max_seqlen}] (max_seqlen), got ${T}.`,
      'split long inputs into rows (computeEntropies does this)',
    );
  }
}

function checkRowTokens(tokens: tf.Tensor, k: AttentionConstants): void {
  if (tokens.rank !== 2 || tokens.dtype !== 'int32' || tokens.shape[1] !== k.cos.shape[0]) {
    throw new BltError(
      'INTERNAL',
      `Expected int32 tokens [B,${k.cos.shape[0]}] for these attention constants, got ${tokens.dtype} ` +
        `[${tokens.shape.join(',')}].`,
    );
  }
}

/**
 * tokens [B,T] int32 → logits [B,T,vocab]. Differentiable w.r.t. model.weights (use inside
 * tf.variableGrads / tf.grads). Positions are 0..T-1 within the given rows (T <= max_seqlen),
 * dense sliding-window attention; rows are independent. `constants` (rowConstants, inference
 * rows) replace that: their positions and attention layout, any T they were built for.
 * Intermediates are released; the caller owns the result.
 */
export function forwardLogits(
  model: EntropyTransformer,
  tokens: tf.Tensor2D,
  constants?: AttentionConstants,
): tf.Tensor3D {
  if (constants) checkRowTokens(tokens, constants);
  else checkTokens(model, tokens);
  const c = model.config;
  const [B, T] = tokens.shape;
  const k = constants ?? attentionConstants(model, T);
  return tf.tidy(() => {
    // [BT,d]
    let h: tf.Tensor2D = tf.gather(weight<tf.Tensor2D>(model, 'tok_embeddings.weight'), tf.reshape(tokens, [B * T]));
    for (let i = 0; i < c.n_layers; i++) {
      const n = layerWeightNames(i);
      const a = rmsNorm(h, weight(model, n.attnNorm), c.norm_eps);
      const aw = {
        wq: weight<tf.Tensor2D>(model, n.wq),
        wk: weight<tf.Tensor2D>(model, n.wk),
        wv: weight<tf.Tensor2D>(model, n.wv),
        wo: weight<tf.Tensor2D>(model, n.wo),
      };
      h = tf.add(h, attention(a, B, T, c.n_heads, aw, k));
      const f = rmsNorm(h, weight(model, n.ffnNorm), c.norm_eps);
      h = tf.add(h, swiglu(f, weight(model, n.w1), weight(model, n.w2), weight(model, n.w3)));
    }
    const out = tf.matMul(
      rmsNorm(h, weight(model, 'norm.weight'), c.norm_eps),
      tf.transpose(weight<tf.Tensor2D>(model, 'output.weight')),
    );
    return tf.reshape(out, [B, T, c.vocab_size]);
  });
}
