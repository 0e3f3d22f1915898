/** Entry point of the exercise lab (`main` of Pulumi.yaml, after `npm run build`). */
import { exerciseLab } from "./exerciseLab";
import { readLabConfig } from "./labConfig";

export = exerciseLab(readLabConfig()).outputs;
