/**
 * The start page's example experiments shipped with the lab: each is a link (through the codec's
 * keys) or an experiment file under public/examples/ opened by `&exp=`. Tests check every link
 * decodes without problems.
 */
import type { PanelId } from '../store/panels';

export interface ExampleExperiment {
  id: string;
  title: string;
  blurb: string;
  panel: PanelId;
  /** A location hash, "#/…". */
  hash: string;
}

const enc = encodeURIComponent;
const BALANCED_L3 = '/stage3/block2/relu2/Relu_output_0';
const SPURIOUS_L3 = '/stage3/block0/relu2/Relu_output_0';

export const EXAMPLES: readonly ExampleExperiment[] = [
  {
    id: 'unit',
    title: 'A unit of the scene classifier',
    blurb: 'Unit 3 of the last stage of scenes-balanced: its top and bottom exemplars, maps, histogram and automatic label.',
    panel: 'exemplars',
    hash: `#/exemplars?v=1&model=scenes-balanced&dataset=scenes-test&layer=${enc(BALANCED_L3)}&unit=3`,
  },
  {
    id: 'spurious',
    title: 'The spurious model’s shortcut',
    blurb: 'scenes-spurious learnt the background: filter the test scenes to foliage backgrounds and see which units fire regardless of the garment.',
    panel: 'exemplars',
    hash: `#/exemplars?v=1&model=scenes-spurious&dataset=scenes-test&layer=${enc(SPURIOUS_L3)}&unit=0&dbg=foliage`,
  },
  {
    id: 'fredsr',
    title: 'FREDSR on a photograph',
    blurb: 'The lab’s 16k-parameter 3× upscaler against bicubic on a held-out photograph, with PSNR and SSIM.',
    panel: 'upscale',
    hash: '#/upscale?v=1&upscaler=fredsr&exp=examples%2Ffredsr-photo.labexp.json',
  },
];
