/** Where an image comes in: drop, paste or choose, as a low-resolution input or as a high-resolution ground truth. */
import { useState, type DragEvent, type ReactNode } from 'react';
import { upscaleFile, type ImageRole } from './imageFile';

export function InputZone({ role, testid, children }: { role: ImageRole; testid: string; children: ReactNode }) {
  const [over, setOver] = useState(false);
  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    // The page-wide drop handler would classify the image instead.
    e.stopPropagation();
    setOver(false);
    const file = e.dataTransfer.files[0];
    if (file) void upscaleFile(file, role);
  };
  return (
    <label
      className={over ? 'up-drop over' : 'up-drop'}
      data-testid={`${testid}-drop`}
      onDragOver={(e) => {
        e.preventDefault();
        e.stopPropagation();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={onDrop}
    >
      {children}
      <input
        type="file"
        accept={role === 'truth' ? 'image/*' : 'image/*,.onnx'}
        hidden
        data-testid={`${testid}-input`}
        onChange={(e) => {
          const file = e.target.files?.[0];
          e.target.value = '';
          if (file) void upscaleFile(file, role);
        }}
      />
    </label>
  );
}
