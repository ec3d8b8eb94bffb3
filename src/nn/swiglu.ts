import * as tf from '@tensorflow/tfjs';
import { linear } from './linear.js';

/** silu(x) = x · sigmoid(x) (fast on wasm, unlike tanh/pow forms). */
function silu<T extends tf.Tensor>(x: T): T {
  return tf.mul(x, tf.sigmoid(x));
}

/** SwiGLU FFN: x [N,d] → (silu(x W1^T) · x W3^T) W2^T [N,d]; W1,W3 [ffn,d], W2 [d,ffn]. */
export function swiglu(x: tf.Tensor2D, w1: tf.Tensor2D, w2: tf.Tensor2D, w3: tf.Tensor2D): tf.Tensor2D {
  return linear(tf.mul(silu(linear(x, w1)), linear(x, w3)), w2);
}
