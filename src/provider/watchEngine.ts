/**
 * Starts watching the engine as soon as the provider process loads this package, not only at the
 * first `configure`: an engine killed in between must not leave the provider process behind.
 * Only the dynamic-provider host loads `pulumi-mde/provider` by name; it is not imported by programs.
 */
import { exitWhenEngineGone } from "../resources/shared/engineWatch";

exitWhenEngineGone();
