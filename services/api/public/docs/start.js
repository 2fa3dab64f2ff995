// Swagger UI on the document this gateway serves; "Try it out" sends the requests here.
window.ui = SwaggerUIBundle({ url: "/api/openapi.json", dom_id: "#swagger-ui", deepLinking: true });
