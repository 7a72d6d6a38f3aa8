/**
 * Backend of Switchyard: migration progress, cutover readiness and control for Backstage.
 *
 * @packageDocumentation
 */

export { cutoverPlugin as default } from './plugin';
