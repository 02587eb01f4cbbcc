/** The scene world: Fashion-MNIST items on photo and procedural backgrounds (see DESIGN.md). */
export * from './vocabulary';
export * from './rng';
export * from './spec';
export * from './banks';
export * from './textures';
export * from './backgrounds';
export * from './policy';
export * from './sample';
export * from './render';
export * from './edits';
export * from './text';
