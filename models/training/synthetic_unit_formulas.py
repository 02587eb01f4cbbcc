"""The synthetic units' formulas (their ground truth) and plain-language descriptions.

An attribute is "<type>:<value>" with type class | color | texture (item attributes, whose maps
are non-zero on item pixels) or background (non-zero on background pixels). A formula is
  {"op": "attr", "attr": A}                       mono: the attribute's map
  {"op": "or",  "args": [F, G]}                   Max of the maps
  {"op": "and", "args": [F, G]}                   Min of the maps (two item attributes)
  {"op": "on",  "item": F, "background": A}       F's map masked (multiplied) by the scene-level
                                                  presence of background A (ReduceMax of its map)
MAIA's 85 synthetic neurons are mono, OR and AND concepts in roughly equal thirds; ours: 24 / 20 / 20.
"""

CLASSES = ['t-shirt', 'trouser', 'pullover', 'dress', 'coat', 'sandal', 'shirt', 'sneaker', 'bag', 'ankle-boot']
COLORS = ['red', 'orange', 'yellow', 'green', 'cyan', 'blue', 'purple', 'pink', 'white', 'gray']
TEXTURES = ['plain', 'stripes', 'dots', 'checks']
BACKGROUNDS = ['foliage', 'flowers', 'water-sky', 'earth', 'man-made', 'solid', 'gradient', 'stripes', 'dots', 'noise']

# channel order of the detector's attribute maps
ATTRIBUTES = ([f'class:{c}' for c in CLASSES] + [f'color:{c}' for c in COLORS] +
              [f'texture:{t}' for t in TEXTURES] + [f'background:{b}' for b in BACKGROUNDS])

PLURAL = {'t-shirt': 't-shirts', 'trouser': 'trousers', 'pullover': 'pullovers', 'dress': 'dresses',
          'coat': 'coats', 'sandal': 'sandals', 'shirt': 'shirts', 'sneaker': 'sneakers', 'bag': 'bags',
          'ankle-boot': 'ankle boots'}
TEXTURE_ADJ = {'plain': 'plain', 'stripes': 'striped', 'dots': 'dotted', 'checks': 'checked'}
BACKGROUND_PHRASE = {'foliage': 'foliage', 'flowers': 'flowers', 'water-sky': 'the sky', 'earth': 'earth',
                     'man-made': 'a man-made background', 'solid': 'a plain background',
                     'gradient': 'a gradient background', 'stripes': 'a striped background',
                     'dots': 'a dotted background', 'noise': 'a mottled background'}

MONO = ['texture:stripes', 'texture:dots', 'texture:checks',
        'color:red', 'color:yellow', 'color:green', 'color:blue', 'color:pink', 'color:white',
        'class:t-shirt', 'class:trouser', 'class:dress', 'class:coat', 'class:sandal', 'class:sneaker',
        'class:bag', 'class:ankle-boot',
        'background:foliage', 'background:water-sky', 'background:flowers', 'background:man-made',
        'background:gradient', 'background:stripes', 'background:noise']
OR = [('color:red', 'class:bag'), ('color:blue', 'class:sneaker'), ('color:green', 'class:dress'),
      ('color:yellow', 'class:trouser'), ('color:pink', 'texture:stripes'), ('color:white', 'texture:dots'),
      ('color:purple', 'texture:checks'), ('class:sandal', 'class:bag'), ('class:t-shirt', 'class:coat'),
      ('class:ankle-boot', 'class:sneaker'), ('class:pullover', 'class:shirt'),
      ('texture:stripes', 'texture:checks'), ('color:orange', 'color:cyan'), ('color:red', 'color:blue'),
      ('class:dress', 'texture:dots'), ('class:trouser', 'texture:checks'), ('color:green', 'class:ankle-boot'),
      ('background:foliage', 'background:flowers'), ('background:water-sky', 'background:gradient'),
      ('color:cyan', 'class:coat')]
ON = [('texture:dots', 'foliage'), ('texture:stripes', 'water-sky'), ('texture:checks', 'gradient'),
      ('color:red', 'foliage'), ('color:blue', 'earth'), ('color:yellow', 'water-sky'), ('color:white', 'noise'),
      ('class:sneaker', 'flowers'), ('class:bag', 'man-made'), ('class:dress', 'dots'),
      ('class:trouser', 'solid'), ('class:t-shirt', 'stripes')]
AND = [('color:red', 'class:sneaker'), ('color:blue', 'class:bag'), ('color:green', 'class:t-shirt'),
       ('color:pink', 'class:dress'), ('texture:stripes', 'class:dress'), ('texture:dots', 'class:bag'),
       ('texture:checks', 'class:shirt'), ('color:yellow', 'texture:stripes')]


def item_phrase(attrs):
    """'red striped sneakers', 'red items', 'sneakers' for a conjunction of item attributes."""
    kv = dict(a.split(':', 1) for a in attrs)
    words = []
    if 'color' in kv:
        words.append(kv['color'])
    if 'texture' in kv:
        words.append(TEXTURE_ADJ[kv['texture']])
    words.append(PLURAL[kv['class']] if 'class' in kv else 'items')
    return ' '.join(words)


def phrase(attr):
    t, v = attr.split(':', 1)
    return f'items on {BACKGROUND_PHRASE[v]}' if t == 'background' else item_phrase([attr])


def attr(a):
    return {'op': 'attr', 'attr': a}


def units():
    """[{name, kind, formula, text, description, attributes}] in channel order."""
    out = []

    def add(kind, formula, text, description, attributes):
        out.append({'index': len(out), 'kind': kind, 'formula': formula, 'text': text,
                    'description': description, 'attributes': attributes})

    for a in MONO:
        add('mono', attr(a), a, phrase(a), [a])
    for a, b in OR:
        add('or', {'op': 'or', 'args': [attr(a), attr(b)]}, f'{a} OR {b}', f'{phrase(a)} or {phrase(b)}', [a, b])
    for a, bg in ON:
        add('and', {'op': 'on', 'item': attr(a), 'background': f'background:{bg}'}, f'{a} ON background:{bg}',
            f'{item_phrase([a])} on {BACKGROUND_PHRASE[bg]}', [a, f'background:{bg}'])
    for a, b in AND:
        add('and', {'op': 'and', 'args': [attr(a), attr(b)]}, f'{a} AND {b}', item_phrase([a, b]), [a, b])
    return out


if __name__ == '__main__':
    for u in units():
        print(u['index'], u['kind'], u['text'], '|', u['description'])
