// The bpmn.io packages below ship no type declarations; they are used through their documented APIs.
declare module 'bpmn-js/lib/Modeler';
declare module 'bpmn-js/lib/NavigatedViewer';
declare module 'bpmn-js-properties-panel';
declare module 'bpmn-js-element-templates';
declare module 'bpmn-js-bpmnlint';
declare module 'bpmnlint';
declare module 'bpmnlint/config/recommended';
declare module 'bpmnlint/rules/*';
declare module 'camunda-bpmn-js-behaviors/lib/camunda-cloud';
declare module 'zeebe-bpmn-moddle/resources/zeebe.json';
declare module 'dmn-js/lib/Modeler';
