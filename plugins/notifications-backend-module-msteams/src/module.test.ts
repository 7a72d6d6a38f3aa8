import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { notificationsProcessingExtensionPoint } from '@backstage/plugin-notifications-node';
import module, { MsTeamsNotificationProcessor } from './index';

describe('notificationsModuleMsTeams', () => {
  it('registers the Microsoft Teams processor', async () => {
    const addProcessor = jest.fn();
    await startTestBackend({
      extensionPoints: [
        [
          notificationsProcessingExtensionPoint,
          { addProcessor, setNotificationRecipientResolver: jest.fn() },
        ],
      ],
      features: [
        module,
        mockServices.rootConfig.factory({
          data: {
            notifications: {
              processors: {
                msteams: {
                  webhooks: [
                    { url: 'https://example.com/hook', topics: ['a'] },
                  ],
                },
              },
            },
          },
        }),
      ],
    });
    expect(addProcessor).toHaveBeenCalledTimes(1);
    const processor = addProcessor.mock.calls[0][0];
    expect(processor).toBeInstanceOf(MsTeamsNotificationProcessor);
    expect(processor.getName()).toBe('msteams');
  });
});
