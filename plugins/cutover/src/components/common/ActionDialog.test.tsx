import { renderInTestApp } from '@backstage/test-utils';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { useState } from 'react';
import { ActionDialog } from './ActionDialog';
import { useSubmit } from './useSubmit';

/** A dialog whose action waits for the test to settle it. */
function Harness(props: {
  action: () => Promise<string>;
  onClose: (done: string | false) => void;
  typed?: string;
}) {
  const [ready, setReady] = useState(true);
  const submission = useSubmit(props.action, result => props.onClose(result));
  return (
    <ActionDialog
      title="Do the thing"
      description="It does the thing."
      confirmLabel="Do it"
      ready={ready}
      typedConfirmation={
        props.typed ? { text: props.typed, id: 'confirm-text' } : undefined
      }
      submission={submission}
      onClose={() => props.onClose(false)}
    >
      <button onClick={() => setReady(r => !r)}>toggle ready</button>
    </ActionDialog>
  );
}

function deferred() {
  let resolve!: (v: string) => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<string>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('ActionDialog with useSubmit', () => {
  it('runs the action once, is busy meanwhile, and hands its result to onDone', async () => {
    const pending = deferred();
    const action = jest.fn(() => pending.promise);
    const onClose = jest.fn();
    await renderInTestApp(<Harness action={action} onClose={onClose} />);

    const dialog = screen.getByRole('dialog', { name: 'Do the thing' });
    expect(within(dialog).getByText('It does the thing.')).toBeInTheDocument();
    const confirm = within(dialog).getByRole('button', { name: 'Do it' });
    fireEvent.click(confirm);
    fireEvent.click(confirm);
    expect(action).toHaveBeenCalledTimes(1);
    await waitFor(() => expect(confirm).toBeDisabled());
    expect(
      within(dialog).getByRole('button', { name: 'Cancel' }),
    ).toBeDisabled();
    // Escape does not close a dialog whose action is running.
    fireEvent.keyDown(dialog, { key: 'Escape' });
    expect(onClose).not.toHaveBeenCalled();

    pending.resolve('done');
    await waitFor(() => expect(onClose).toHaveBeenCalledWith('done'));
    expect(onClose).toHaveBeenCalledTimes(1);
  });

  it("shows the server's message when the action fails, and lets the user try again", async () => {
    const failure = Object.assign(new Error('Request failed with 409'), {
      body: {
        error: {
          name: 'ConflictError',
          message: 'A rollback is already running',
        },
      },
    });
    const action = jest
      .fn<Promise<string>, []>()
      .mockRejectedValueOnce(failure)
      .mockResolvedValueOnce('second time');
    const onClose = jest.fn();
    await renderInTestApp(<Harness action={action} onClose={onClose} />);

    const dialog = screen.getByRole('dialog');
    fireEvent.click(within(dialog).getByRole('button', { name: 'Do it' }));
    expect(await within(dialog).findByRole('alert')).toHaveTextContent(
      'A rollback is already running',
    );
    expect(onClose).not.toHaveBeenCalled();
    expect(within(dialog).getByRole('button', { name: 'Do it' })).toBeEnabled();

    fireEvent.click(within(dialog).getByRole('button', { name: 'Do it' }));
    await waitFor(() => expect(onClose).toHaveBeenCalledWith('second time'));
  });

  it('waits for the fields to be ready and for the typed confirmation', async () => {
    const action = jest.fn(async () => 'ok');
    const onClose = jest.fn();
    await renderInTestApp(
      <Harness action={action} onClose={onClose} typed="orders-v2" />,
    );
    const dialog = screen.getByRole('dialog');
    const confirm = within(dialog).getByRole('button', { name: 'Do it' });
    expect(confirm).toBeDisabled();
    const typed = within(dialog).getByLabelText('Type orders-v2 to confirm');
    fireEvent.change(typed, { target: { value: 'orders' } });
    expect(confirm).toBeDisabled();
    fireEvent.change(typed, { target: { value: ' orders-v2 ' } });
    expect(confirm).toBeEnabled();

    fireEvent.click(
      within(dialog).getByRole('button', { name: 'toggle ready' }),
    );
    expect(confirm).toBeDisabled();
    fireEvent.click(
      within(dialog).getByRole('button', { name: 'toggle ready' }),
    );

    fireEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(onClose).toHaveBeenCalledWith(false);
    expect(action).not.toHaveBeenCalled();
  });
});
