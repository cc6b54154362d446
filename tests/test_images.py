"""The PNG and GIF downloads: rendered from the engine's grid probe in the canvas's colours."""

import io

import numpy as np
from PIL import Image

from playground import palette
from playground.core.config import Config
from playground.core.session import Session
from playground.figures.images import gif_bytes, output_rgb, png_bytes


def test_output_colours_follow_the_canvas():
    """Sigmoid 0 -> 60 % orange, 1 -> 60 % blue, 0.5 -> the neutral grey; softmax: the winning class's colour."""
    rgb = output_rgb("sigmoid_ce", np.array([[[0.0], [0.5], [1.0]]]))[0]
    mid = np.array(palette.NEUTRAL)
    np.testing.assert_allclose(rgb[0], np.round(mid + 0.6 * (np.array(palette.NEGATIVE) - mid)), atol=1)
    np.testing.assert_allclose(rgb[1], mid, atol=1)
    np.testing.assert_allclose(rgb[2], np.round(mid + 0.6 * (np.array(palette.POSITIVE) - mid)), atol=1)
    three = output_rgb("softmax_ce", np.array([[[0.0, 0.0, 1.0]]]), discretize=True)[0, 0]
    np.testing.assert_allclose(three, np.round(mid + 0.6 * (np.array(palette.CLASSES[2]) - mid)), atol=1)


def test_png_shows_the_trained_boundary_and_the_points():
    s = Session(Config(dataset="circle", layers=(6,), learning_rate=0.1))
    s.advance(300)
    image = np.asarray(Image.open(io.BytesIO(png_bytes(s))).convert("RGB")).astype(int)
    assert image.shape == (400, 400, 3)
    centre, corner = image[190:210, 190:210].reshape(-1, 3).mean(0), image[:15, :15].reshape(-1, 3).mean(0)
    assert centre[2] > centre[0] and corner[0] > corner[2]  # blue inside the circle, orange outside
    colours = {tuple(c) for c in image.reshape(-1, 3)}
    assert tuple(palette.CLASSES[0]) in colours and tuple(palette.CLASSES[1]) in colours  # points in full colour


def test_gif_has_a_frame_per_snapshot_up_to_forty():
    s = Session(Config(dataset="xor", points=100, layers=(3,)))
    for _ in range(12):
        s.advance(5)
    gif = Image.open(io.BytesIO(gif_bytes(s)))
    assert gif.n_frames == len(s.snapshots) == 13
    for _ in range(60):
        s.advance(5)
    assert Image.open(io.BytesIO(gif_bytes(s))).n_frames == 40
