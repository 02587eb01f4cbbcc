"""Print the FREDSR results table (Markdown) from the model cards.

    /usr/bin/python3 models/training/fredsr_table.py
"""
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ROOT  # noqa: E402

NAMES = ['fredsr', 'fredsr-l1fft', 'fredsr-l1', 'espcn']


def main():
    cards = [json.loads((ROOT / 'models' / f'{n}.card.json').read_text())
             for n in NAMES if (ROOT / 'models' / f'{n}.card.json').exists()]
    if not cards:
        sys.exit('no FREDSR cards under models/')
    ev0 = cards[0]['evaluation']
    print(f'Held-out: {ev0["images"]} photos (768x768 HR centre crops), Y channel, border 3.\n')
    print('| model | loss | params (trainable / ONNX values) | FLOPs / LR px | steps | train s | PSNR dB | SSIM '
          '| vs bicubic dB | detail ratio |')
    print('|---|---|---:|---:|---:|---:|---:|---:|---:|---:|')
    print(f'| bicubic (torch F.interpolate = the in-graph skip) | – | 0 | – | – | – | {ev0["bicubicPsnr"]:.2f} | '
          f'{ev0["bicubicSsim"]:.4f} | 0 | 0 |')
    print(f'| bicubic (PIL) | – | 0 | – | – | – | {ev0["pilBicubicPsnr"]:.2f} | – | '
          f'{ev0["pilBicubicPsnr"] - ev0["bicubicPsnr"]:+.2f} | – |')
    for c in cards:
        ev, tr = c['evaluation'], c['training']
        values = c.get('initializerValues', c['parameters'])
        print(f'| `{c["name"]}` | {c["loss"]} | {c["parameters"]:,} / {values:,} | {c["flopsPerLrPixel"]:,} | '
              f'{tr["budget"]["generatorSteps"]} | {tr["seconds"]:.0f} | {ev["psnr"]:.2f} | '
              f'{ev["ssim"]:.4f} | {ev["gainOverBicubicDb"]:+.2f} | '
              f'{"–" if ev.get("detailRatio") is None else format(ev["detailRatio"], ".3f")} |')
    print('\nPer image (PSNR dB, model - bicubic):\n')
    ids = [r['id'] for r in cards[0]['evaluation']['perImage']]
    print('| image | bicubic | ' + ' | '.join(c['name'] for c in cards) + ' |')
    print('|---|---:|' + '---:|' * len(cards))
    for i, pid in enumerate(ids):
        bic = cards[0]['evaluation']['perImage'][i]['bicubicPsnr']
        cells = [f'{c["evaluation"]["perImage"][i]["psnr"] - bic:+.2f}' for c in cards]
        print(f'| {pid} | {bic:.2f} | ' + ' | '.join(cells) + ' |')


if __name__ == '__main__':
    main()
