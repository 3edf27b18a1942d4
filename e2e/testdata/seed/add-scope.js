/**
* @param {Event} event - Details about the user and the context in which they are logging in.
* @param {PostLoginAPI} api - Interface whose methods can be used to change the behavior of the login.
*/
exports.onExecutePostLogin = async (event, api) => {
if (event.request.query.audience === 'https://example.com/api') {
api.accessToken.addScope("read:xyz");
}
};
