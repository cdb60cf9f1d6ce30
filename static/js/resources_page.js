// The Resources page: the same live panel as in the IDE, full width.
import { pageData } from "./api.js";
import { mountResources } from "./resources.js";

mountResources(document.getElementById("resources"), pageData());
