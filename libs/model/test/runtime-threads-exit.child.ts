// Run by runtime-threads.test.ts in a child process: Node must exit on its own with wasm threads up.
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/index.ts';

const info = await initBackend({ prefer: 'wasm', threads: 2, log: null });
tf.conv2d(tf.ones([1, 8, 8, 4]) as tf.Tensor4D, tf.ones([3, 3, 4, 4]) as tf.Tensor4D, 1, 'same').dataSync();
process.stdout.write(JSON.stringify(info));
