import Button from '@material-ui/core/Button';
import FileCopyIcon from '@material-ui/icons/FileCopy';
import { useState } from 'react';

/** Copies a text to the clipboard and says so. */
export const CopyButton = (props: { text: string; label: string }) => {
  const [result, setResult] = useState<'copied' | 'failed'>();
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(props.text);
      setResult('copied');
    } catch {
      setResult('failed');
    }
  };
  let text = props.label;
  if (result === 'copied') text = 'Copied';
  if (result === 'failed') text = 'Copy failed: select and copy by hand';
  return (
    <Button
      size="small"
      variant="outlined"
      startIcon={<FileCopyIcon />}
      onClick={copy}
      aria-live="polite"
    >
      {text}
    </Button>
  );
};
