"""Fixed-draw fixtures for the Real-ESRGAN second-order degradation (apps/trainer/test/data-realesrgan.test.ts).

The reference is written out from BasicSR `basicsr/data/degradations.py` (mesh_grid, sigma_matrix2, pdf2,
bivariate_Gaussian / generalized / plateau, circular_lowpass_kernel, generate_gaussian_noise_pt),
`basicsr/utils/img_process_util.py` (filter2D) and Real-ESRGAN `realesrgan/models/realesrgan_model.py` (feed_data),
with every random draw taken as an input. Images are stored HWC (as the TypeScript side holds them).
JPEG is not part of the chain fixture: BasicSR's DiffJPEG is compared by statistics in the test instead.

    cd tools/pytorch && /usr/bin/python3 make_degradation_fixtures.py
"""
import json
import math
import os

import numpy as np
import torch
import torch.nn.functional as F

OUT = os.path.join(os.path.dirname(__file__), '../../apps/trainer/test/fixtures/degradations.json')


def mesh_grid(kernel_size):
    ax = np.arange(-kernel_size // 2 + 1., kernel_size // 2 + 1.)
    xx, yy = np.meshgrid(ax, ax)
    xy = np.hstack((xx.reshape((kernel_size * kernel_size, 1)), yy.reshape(kernel_size * kernel_size,
                                                                           1))).reshape(kernel_size, kernel_size, 2)
    return xy


def sigma_matrix2(sig_x, sig_y, theta):
    d_matrix = np.array([[sig_x**2, 0], [0, sig_y**2]])
    u_matrix = np.array([[np.cos(theta), -np.sin(theta)], [np.sin(theta), np.cos(theta)]])
    return np.dot(u_matrix, np.dot(d_matrix, u_matrix.T))


def quad(kernel_size, sig_x, sig_y, theta, isotropic):
    grid = mesh_grid(kernel_size)
    sigma_matrix = np.array([[sig_x**2, 0], [0, sig_x**2]]) if isotropic else sigma_matrix2(sig_x, sig_y, theta)
    inverse_sigma = np.linalg.inv(sigma_matrix)
    return np.sum(np.dot(grid, inverse_sigma) * grid, 2)


def kernel_of(kind, size, sig_x, sig_y, theta, beta):
    iso = kind.endswith('iso') and not kind.endswith('aniso')
    q = quad(size, sig_x, sig_y, theta, iso)
    if kind in ('iso', 'aniso'):
        k = np.exp(-0.5 * q)
    elif kind.startswith('generalized'):
        k = np.exp(-0.5 * np.power(q, beta))
    else:
        k = np.reciprocal(np.power(q, beta) + 1)
    return k / np.sum(k)


def circular_lowpass_kernel(cutoff, kernel_size):
    c = (kernel_size - 1) / 2
    x, y = np.meshgrid(np.arange(kernel_size), np.arange(kernel_size), indexing='ij')
    r = np.sqrt((x - c)**2 + (y - c)**2)
    with np.errstate(divide='ignore', invalid='ignore'):
        kernel = cutoff * torch.special.bessel_j1(torch.from_numpy(cutoff * r)).numpy() / (2 * np.pi * r)
    kernel[(kernel_size - 1) // 2, (kernel_size - 1) // 2] = cutoff**2 / (4 * np.pi)
    return kernel / np.sum(kernel)


def pad21(k):
    p = (21 - k.shape[0]) // 2
    return np.pad(k, ((p, p), (p, p)))


def filter2D(img, kernel):
    k = kernel.size(-1)
    b, c, h, w = img.size()
    img = F.pad(img, (k // 2, k // 2, k // 2, k // 2), mode='reflect')
    ph, pw = img.size()[-2:]
    img = img.view(b * c, 1, ph, pw)
    return F.conv2d(img, kernel.view(1, 1, k, k), padding=0).view(b, c, h, w)


def gaussian_noise(img, sigma, gray, normals_hwc, gray_normals_hw):
    """generate_gaussian_noise_pt with the randn draws given; then random_add_gaussian_noise_pt's add and clip."""
    noise = torch.from_numpy(normals_hwc).permute(2, 0, 1)[None] * sigma / 255.
    if gray:
        noise_gray = torch.from_numpy(gray_normals_hw)[None, None] * sigma / 255.
        noise = noise * 0 + noise_gray * 1
    return torch.clamp(img + noise, 0, 1)


def nchw(hwc):
    return torch.from_numpy(np.ascontiguousarray(hwc, dtype=np.float32)).permute(2, 0, 1)[None].contiguous()


def hwc(t):
    return t[0].permute(1, 2, 0).contiguous().numpy().astype(np.float64).ravel().tolist()


def rounded(t):
    return torch.clamp((t * 255.0).round(), 0, 255) / 255.


def main():
    rng = np.random.default_rng(15)
    h = w = 24
    yy, xx = np.mgrid[0:h, 0:w]
    base = np.stack([0.5 + 0.4 * np.sin(xx / 3.0 + c) * np.cos(yy / 4.0) for c in range(3)], -1)
    image = np.clip(base + 0.05 * rng.standard_normal((h, w, 3)), 0, 1).astype(np.float32)
    img = nchw(image)
    out = {'image': {'width': w, 'height': h, 'data': hwc(img)}}

    kernels = []
    for kind, size, sx, sy, th, beta in [
        ('iso', 7, 1.3, 1.3, 0, 1), ('iso', 21, 2.7, 2.7, 0, 1), ('aniso', 15, 2.4, 0.7, 0.6, 1),
        ('aniso', 9, 0.4, 2.9, -2.2, 1), ('generalized_iso', 11, 1.8, 1.8, 0, 0.7),
        ('generalized_aniso', 13, 2.2, 1.1, 1.9, 3.5), ('plateau_iso', 17, 1.5, 1.5, 0, 1.4),
        ('plateau_aniso', 21, 2.5, 0.9, -0.8, 1.9)
    ]:
        kernels.append({'kind': kind, 'size': size, 'sigmaX': sx, 'sigmaY': sy, 'theta': th, 'beta': beta,
                        'kernel': pad21(kernel_of(kind, size, sx, sy, th, beta)).ravel().tolist()})
    out['kernels'] = kernels
    out['sinc'] = [{'size': s, 'omega': om, 'kernel': pad21(circular_lowpass_kernel(om, s)).ravel().tolist()}
                   for s, om in [(7, 2.5), (13, 1.1), (21, math.pi / 3)]]

    blur_k = torch.FloatTensor(pad21(kernel_of('aniso', 15, 2.4, 0.7, 0.6, 1)))
    out['filter2D'] = {'kernel': blur_k.double().numpy().ravel().tolist(), 'out': hwc(filter2D(img, blur_k))}

    resizes = []
    for mode in ['area', 'bilinear', 'bicubic']:
        for scale in [0.61, 1.37, 0.15]:
            r = F.interpolate(img, scale_factor=scale, mode=mode)
            resizes.append({'mode': mode, 'scale': scale, 'width': r.shape[3], 'height': r.shape[2], 'out': hwc(r)})
        for size in [(11, 7), (30, 37)]:
            r = F.interpolate(img, size=size, mode=mode)
            resizes.append({'mode': mode, 'width': size[1], 'height': size[0], 'out': hwc(r)})
    out['resize'] = resizes

    normals = rng.standard_normal((h, w, 3)).astype(np.float32)
    gray_normals = rng.standard_normal((h, w)).astype(np.float32)
    out['gaussianNoise'] = {
        'sigma': 17.5, 'normals': normals.astype(np.float64).ravel().tolist(),
        'grayNormals': gray_normals.astype(np.float64).ravel().tolist(),
        'color': hwc(gaussian_noise(img, 17.5, False, normals, gray_normals)),
        'gray': hwc(gaussian_noise(img, 17.5, True, normals, gray_normals)),
    }

    # The whole feed_data chain at scale 2 with Gaussian noise both times and JPEG as identity (clamp only).
    scale = 2
    k1 = pad21(kernel_of('generalized_aniso', 13, 2.2, 1.1, 1.9, 3.5))
    k2 = pad21(kernel_of('iso', 9, 0.9, 0.9, 0, 1))
    sinc = pad21(circular_lowpass_kernel(1.7, 11))
    chain = {'scale': scale, 'kernel1': k1.ravel().tolist(), 'kernel2': k2.ravel().tolist(), 'sinc': sinc.ravel().tolist(),
             'resize1': {'scale': 0.83, 'mode': 'bicubic'}, 'sigma1': 12.0, 'gray1': False,
             'secondBlur': True, 'resize2': {'scale': 1.1, 'mode': 'bilinear'}, 'sigma2': 6.0, 'gray2': True,
             'finalResizeMode': 'area', 'sincFirst': True}
    o = filter2D(img, torch.FloatTensor(k1))
    o = F.interpolate(o, scale_factor=0.83, mode='bicubic')
    n1 = rng.standard_normal((o.shape[2], o.shape[3], 3)).astype(np.float32)
    g1 = rng.standard_normal((o.shape[2], o.shape[3])).astype(np.float32)
    o = gaussian_noise(o, 12.0, False, n1, g1)
    o = torch.clamp(o, 0, 1)  # jpeger skipped
    o = filter2D(o, torch.FloatTensor(k2))
    o = F.interpolate(o, size=(int(h / scale * 1.1), int(w / scale * 1.1)), mode='bilinear')
    n2 = rng.standard_normal((o.shape[2], o.shape[3], 3)).astype(np.float32)
    g2 = rng.standard_normal((o.shape[2], o.shape[3])).astype(np.float32)
    o = gaussian_noise(o, 6.0, True, n2, g2)
    o = F.interpolate(o, size=(h // scale, w // scale), mode='area')
    o = filter2D(o, torch.FloatTensor(sinc))
    o = torch.clamp(o, 0, 1)  # jpeger skipped
    lq = rounded(o)
    chain.update({'normals1': n1.astype(np.float64).ravel().tolist(), 'grayNormals1': g1.astype(np.float64).ravel().tolist(),
                  'normals2': n2.astype(np.float64).ravel().tolist(), 'grayNormals2': g2.astype(np.float64).ravel().tolist(),
                  'out': hwc(lq), 'width': lq.shape[3], 'height': lq.shape[2]})
    out['chain'] = chain

    with open(OUT, 'w') as f:
        json.dump(out, f, separators=(',', ':'))
    print('wrote', os.path.normpath(OUT), os.path.getsize(OUT), 'bytes')


if __name__ == '__main__':
    main()
