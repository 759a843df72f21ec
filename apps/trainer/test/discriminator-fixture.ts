import * as tf from '@tensorflow/tfjs';
import { stateDictToParams, vggDiscriminator, type ParamMap, type SafetensorsContents, type VGGStyleDiscriminatorConfig } from '@sr/model';

/** NHWC values ((i · 2654435761) mod 2³²) / 2³² by flat index, as tools/pytorch/make_r1_fixtures.py `hashed_input` makes them. */
export function hashedInput(shape: [number, number, number, number]): tf.Tensor4D {
  const data = new Float32Array(shape.reduce((a, b) => a * b));
  for (let i = 0; i < data.length; i++) data[i] = (Math.imul(i, 2654435761) >>> 0) / 2 ** 32;
  return tf.tensor4d(data, shape);
}

/**
 * A 128-px VGGStyleDiscriminator with the trainable parameters of a PyTorch fixture (`param.<name>`, as tf.Variables)
 * and freshly initialised buffers (the fixtures run D in training mode, so the running stats are not used).
 */
export function fixtureDiscriminator(file: SafetensorsContents, norm: VGGStyleDiscriminatorConfig['norm']) {
  const config = vggDiscriminator.parseConfig({ num_feat: Number(file.metadata.num_feat), input_size: 128, norm });
  const shapes = vggDiscriminator.paramShapes(config);
  const trainable = Object.keys(shapes).filter((k) => !vggDiscriminator.bufferNames(config).includes(k));
  const torchParams = Object.fromEntries(trainable.map((k) => [k, file.tensors[`param.${k}`]]));
  const loaded = stateDictToParams(torchParams, Object.fromEntries(trainable.map((k) => [k, shapes[k]])));
  const buffers = Object.fromEntries(Object.entries(vggDiscriminator.init(config, 0)).filter(([k]) => !trainable.includes(k)));
  const vars = Object.fromEntries(Object.entries(loaded).map(([k, t]) => [k, tf.variable(t)]));
  const params: ParamMap = { ...buffers, ...vars };
  return { config, vars, buffers, params };
}
