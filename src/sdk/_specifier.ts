/**
 * The one module specifier a signature may import values from.
 *
 * @module
 */

/** The one module specifier a signature may import values from. */
export const SDK_SPECIFIER = "@vigil/sensor/sdk";
